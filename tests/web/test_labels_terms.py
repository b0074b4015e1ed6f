"""The product terms table shows the quantity unit by its name."""

import pytest
from django.test import Client

from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_the_terms_table_names_the_quantity_unit(officer):
    product = ProductFactory()
    client = Client()
    client.force_login(officer)
    page = client.get(f"/products/{product.symbol}/").content.decode()
    assert '<span class="term-key">quantity_unit</span></th><td>GPU-hour</td>' in page
