"""Input PostgreSQL cannot store is a 400, never a 500."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_nul_in_issuer_lei_and_huge_ids_are_400(officer):
    client = APIClient()
    client.force_authenticate(officer)
    party = {"kind": "entity", "name": "Acme", "country": "GB", "issuer": "5493\x00"}
    assert client.post("/api/v1/parties/", party, format="json").status_code == 400
    assert client.post("/api/v1/kyc-cases/", {"party": 2**70}, format="json").status_code == 400
