"""Delivery fixtures: a listed product and provider keys."""

import pytest

from delivery import services
from tests.delivery.delivery_helpers import OTHER_LEI, PROVIDER_LEI, make_listed_product


@pytest.fixture
def listed_product(db):
    return make_listed_product()


@pytest.fixture
def provider_key(db):
    return services.provider_key_create(actor="system:test", provider_lei=PROVIDER_LEI)


@pytest.fixture
def other_provider_key(db):
    return services.provider_key_create(actor="system:test", provider_lei=OTHER_LEI)
