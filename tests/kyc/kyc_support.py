"""Helpers for KYC and sanctions tests: tiny list versions and parties built through services."""

import hashlib
from datetime import date

from django.test import Client

from compliance.kyc import services as kyc
from compliance.sanctions.lists import ListEntry, ListName, ParseReport, ParseResult
from compliance.sanctions.services import list_version_create

SYSTEM = "system:test"
PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def entry(ref: str, name: str, kind: str = "person", *, aliases=(), birth_dates=(), nationalities=(), source="un"):
    return ListEntry(
        source=source,
        ref=ref,
        kind=kind,
        primary_name=name,
        names=(ListName(name, "primary"), *(ListName(a, "aka") for a in aliases)),
        birth_dates=tuple(birth_dates),
        nationalities=tuple(nationalities),
        countries=tuple(nationalities),
    )


def import_entries(entries, *, source="un", actor=SYSTEM):
    digest = hashlib.sha256(repr(entries).encode()).hexdigest()
    report = ParseReport(source=source, checksums={"list.xml": digest}, counts={"entries": len(entries)})
    return list_version_create(source=source, result=ParseResult(entries=tuple(entries), report=report), actor=actor)


def person(name: str, country: str = "FR", birth: date | None = None, **extra):
    return kyc.party_create(
        actor=SYSTEM,
        kind="person",
        name=name,
        residence_country=country,
        nationalities=[country],
        birth_date=birth,
        screen=False,
        **extra,
    )


def entity(name: str, *, lei: str = "", country: str = "GB", issuer=None):
    return kyc.party_create(
        actor=SYSTEM,
        kind="entity",
        name=name,
        lei=lei or (issuer.lei if issuer else ""),
        country=country,
        registration_number="R1",
        issuer=issuer,
        screen=False,
    )


def documents_for(case, officer):
    if case.party.kind == "entity":
        items = [("register_extract", "pdf", PDF), ("ownership_chart", "png", PNG)]
    else:
        items = [("passport", "png", PNG), ("proof_of_address", "pdf", PDF)]
    for doc_type, file_type, data in items:
        kyc.document_add(
            actor=officer, case=case, doc_type=doc_type, file_type=file_type, data=data + doc_type.encode(), name="f"
        )


def checked_case(party, officer):
    case = kyc.case_open(actor=officer, party=party, run_checks=False)
    documents_for(case, officer)
    kyc.case_run_checks(case_id=case.pk)
    case.refresh_from_db()
    return case


def logged_in(user) -> Client:
    """A test client with ``user`` logged in (the pages, not the API)."""
    client = Client()
    client.force_login(user)
    return client
