"""Two registrations of one investor reference at once: one wins, the other gets a field error."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from compliance.kyc import services
from compliance.kyc.models import Investor
from tests.factories import UserFactory
from tests.kyc.kyc_support import person
from tests.races import uncommitted

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions"),
]


def test_an_investor_created_after_the_checks_by_someone_else_is_a_field_error():
    officer = UserFactory(role="officer")
    first_party, second_party = person("First Registrant"), person("Second Registrant")

    def create(party):
        return services.investor_create(actor=officer, party=party, reference="INV-RACE-1", category="professional")

    # The second's check sees nothing yet; its insert waits on the unique index, then fails.
    with uncommitted(lambda: create(first_party)), pytest.raises(ValidationError) as refused:
        create(second_party)
    assert refused.value.message_dict == {"reference": ["An investor with this reference already exists."]}
    assert Investor.objects.get(reference="INV-RACE-1").party_id == first_party.pk


def test_an_issuer_party_registered_after_the_check_by_someone_else_is_a_field_error():
    from products.models import Issuer
    from tests.factories import IssuerFactory

    officer = UserFactory(role="officer")
    issuer = IssuerFactory()

    def register(name):
        return services.party_create(actor=officer, kind="entity", name=name, country="GB", issuer=issuer, screen=False)

    with uncommitted(lambda: register("First Registration")), pytest.raises(ValidationError) as refused:
        register("Second Registration")
    assert refused.value.message_dict == {"issuer": ["This issuer already has a KYB party."]}
    assert Issuer.objects.get(pk=issuer.pk).kyb_party.name == "First Registration"
