"""Demo KYC/KYB and sanctions data: the real lists, issuer KYB cases, ~30 investors.

`seed_issuer_kyb(issuers, officers)` is called by `products.demo.seed()` before it approves
any application, because the KYB approval gate (compliance.kyc.gates) refuses approvals for
issuers without an approved KYB case. `seed()` (in FEATURE_SEEDERS) adds the investors.
Everything goes through the services, so the demo carries a real audit trail; screening runs
in-process against the lists imported first.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from compliance.kyc import services
from compliance.kyc.models import CaseState, DocumentType, Investor, KycCase, Party, PartyKind
from compliance.sanctions.models import HitState
from products.models import ComputeProduct

SYSTEM = "system:seed_demo"
# Smallest files whose magic bytes pass the intake checks; the demo has no real scans.
DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
DEMO_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

ISSUER_OWNERS = {
    "549300NIMBUSCOMP0044": [("Priya Natarajan", "GB", date(1979, 4, 2), "62.00"), ("Daniel Hughes", "GB", None, "")],
    "549300HELIOGRIDCO010": [("Jonas Weber", "DE", date(1983, 9, 17), "51.00"), ("Katrin Vogel", "DE", None, "")],
    "549300TESSERA0000086": [("Mei Lin Tan", "SG", date(1986, 1, 23), "40.00"), ("Arjun Pillai", "SG", None, "")],
}

# (name, residence, category, birth date, outcome) -- outcome: approved, expired, rejected,
# open_hit (a name close to a listed one; the hit waits for an officer) or confirmed.
INVESTORS = [
    ("Sophie Martin", "FR", "retail", date(1988, 3, 14), "approved"),
    ("Lukas Schneider", "DE", "professional", date(1975, 11, 2), "approved"),
    ("Marco Rossi", "IT", "retail", date(1990, 6, 30), "approved"),
    ("Anna Kowalska", "PL", "retail", date(1993, 2, 9), "approved"),
    ("Liam Murphy", "IE", "professional", date(1981, 8, 21), "approved"),
    ("Pieter de Vries", "NL", "eligible_counterparty", date(1970, 5, 5), "approved"),
    ("Emma Johansson", "SE", "retail", date(1995, 12, 1), "approved"),
    ("Nikos Papadopoulos", "GR", "retail", date(1984, 7, 19), "expired"),
    ("Ana Horvat", "HR", "retail", date(1991, 4, 27), "approved"),
    ("Isabel Fernandez", "ES", "professional", date(1979, 10, 10), "approved"),
    ("Eva Novak", "SI", "retail", date(1987, 1, 15), "approved"),
    ("Laura Bianchi", "IT", "professional", date(1982, 9, 3), "expired"),
    ("Hannah Becker", "AT", "retail", date(1996, 3, 22), "approved"),
    ("Chloe Dubois", "BE", "retail", date(1989, 11, 11), "approved"),
    ("Oliver Smith", "GB", "professional", date(1977, 2, 28), "approved"),
    ("Emily Clark", "GB", "retail", date(1994, 6, 6), "approved"),
    ("James Wilson", "GB", "eligible_counterparty", date(1968, 12, 12), "approved"),
    ("Michael Johnson", "US", "accredited", date(1972, 4, 4), "approved"),
    ("Sarah Lee", "US", "eligible_contract_participant", date(1980, 8, 8), "approved"),
    ("Kevin Chan", "US", "retail", date(1992, 5, 17), "rejected"),
    ("Rachel Lim", "SG", "accredited", date(1985, 7, 7), "approved"),
    ("Tan Wei Ming", "SG", "professional", date(1976, 3, 3), "approved"),
    ("Stefan Keller", "CH", "professional", date(1974, 1, 30), "approved"),
    ("Nina Meier", "CH", "retail", date(1990, 10, 20), "expired"),
    ("Daniel Wong", "HK", "professional", date(1983, 12, 24), "approved"),
    ("Grace Ho", "HK", "retail", date(1997, 9, 9), "approved"),
    ("Jan Jansen", "NL", "retail", date(1986, 2, 2), "approved"),
    ("Maria Silva", "PT", "retail", date(1991, 11, 30), "approved"),
    # A misspelling of OFAC SDN 1572 (NORIEGA, Manuel Antonio): waits for an officer.
    ("Manuel Antonio Norieaga", "PA", "professional", None, "open_hit"),
    # OFAC SDN 1910 as listed: an officer confirmed the match; the investor is blocked.
    ("Felicidad Sieiro de Noriega", "PA", "retail", None, "confirmed"),
]


def import_real_lists(stdout=None) -> bool:
    """Import the shipped public lists (a no-op when their checksums are already current)."""
    from compliance.sanctions.services import list_files_in, list_import

    folder = settings.ATTEST_SANCTIONS_DATA_DIR
    files = list_files_in(folder) if folder.is_dir() else {}
    if not files:
        print(f"Sanctions lists not found in {folder}; screening runs against no list.")
        return False
    created = False
    for source, path in files.items():
        created |= list_import(source=source, path=path, actor=SYSTEM).created
    return created


def _documents(case, officer, kind):
    if kind == PartyKind.ENTITY:
        pairs = [(DocumentType.REGISTER_EXTRACT, "pdf", DEMO_PDF), (DocumentType.OWNERSHIP_CHART, "png", DEMO_PNG)]
    else:
        pairs = [(DocumentType.PASSPORT, "png", DEMO_PNG), (DocumentType.PROOF_OF_ADDRESS, "pdf", DEMO_PDF)]
    for index, (doc_type, file_type, data) in enumerate(pairs):
        # Distinct bytes per case and document, so each stored file has its own hash.
        payload = data + f"\n% case {case.pk} doc {index}\n".encode()
        name = f"{doc_type}.{file_type}"
        services.document_add(actor=officer, case=case, doc_type=doc_type, file_type=file_type, data=payload, name=name)


def _clear_unexpected_hits(party, officer):
    """The matcher is tuned for recall, so a common demo name may come close to a listed one."""
    from compliance.sanctions.services import hit_clear

    for hit in party.hits.filter(state=HitState.OPEN):
        hit_clear(
            hit=hit,
            actor=officer,
            rationale="Different person: date of birth and nationality do not match the listed entry.",
        )


def _approve(case, officers):
    case.refresh_from_db()
    services.case_decide(case=case, actor=officers[0], decision="approve", rationale="Identity and address verified.")
    case.refresh_from_db()
    if case.state != CaseState.APPROVED:  # high risk: a second officer (four-eyes)
        services.case_decide(case=case, actor=officers[1], decision="approve", rationale="Second review concurs.")
        case.refresh_from_db()
    return case


def _checked_case(party, officers):
    case = services.case_open(actor=officers[0], party=party, run_checks=False)
    _documents(case, officers[0], party.kind)
    services.case_run_checks(case_id=case.pk)
    return KycCase.objects.get(pk=case.pk)


@transaction.atomic
def seed_issuer_kyb(issuers, officers) -> bool:
    """Approved KYB cases (with owners and directors screened) for the demo issuers."""
    import_real_lists()
    created = False
    for issuer in issuers:
        if Party.objects.filter(issuer=issuer).exists():
            continue
        created = True
        entity = services.issuer_party_create(actor=SYSTEM, issuer=issuer)
        for name, country, birth, pct in ISSUER_OWNERS.get(issuer.lei, []):
            person = services.party_create(
                actor=SYSTEM,
                kind=PartyKind.PERSON,
                name=name,
                birth_date=birth,
                nationalities=[country],
                residence_country=country,
                screen=False,
            )
            role = "ubo" if pct else "director"
            services.party_add_relation(
                actor=SYSTEM, entity=entity, related=person, role=role, ownership_pct=Decimal(pct) if pct else None
            )
        case = _checked_case(entity, officers)
        for party in [entity, *(r.related for r in entity.relations.all())]:
            _clear_unexpected_hits(party, officers[1])
        if case.checks and not case.checks["sanctions"]["passed"]:
            services.case_rerun_checks(case=case, actor=officers[0])
            services.case_run_checks(case_id=case.pk)
        _approve(case, officers)
    return created


def _investor(row, index, officers, products):
    name, country, category, birth, outcome = row
    party = services.party_create(
        actor=SYSTEM,
        kind=PartyKind.PERSON,
        name=name,
        birth_date=birth,
        nationalities=[country],
        residence_country=country,
        tax_residences=[country],
        screen=False,
    )
    investor = services.investor_create(
        actor=SYSTEM,
        party=party,
        reference=f"INV-{index:04d}",
        category=category,
        category_evidence="Client categorisation questionnaire and portfolio statement on file."
        if category != "retail"
        else "",
        category_assessed_on=date(2026, 1, 15),
        order_notional_limit=Decimal("250000") if category == "retail" else None,
    )
    case = _checked_case(party, officers)
    if outcome in ("approved", "expired"):
        _clear_unexpected_hits(party, officers[1])
        if not case.checks["sanctions"]["passed"]:
            services.case_rerun_checks(case=case, actor=officers[0])
            services.case_run_checks(case_id=case.pk)
        case = _approve(case, officers)
        if outcome == "expired":
            # History: this approval was given years ago and its review date has passed.
            KycCase.objects.filter(pk=case.pk).update(expires_on=timezone.localdate() - timedelta(days=30 + index))
    elif outcome == "rejected":
        services.case_decide(
            case=case, actor=officers[0], decision="reject", rationale="Source of funds not evidenced."
        )
    elif outcome == "confirmed":
        for hit in party.hits.filter(state=HitState.OPEN):
            from compliance.sanctions.services import hit_confirm

            hit_confirm(hit=hit, actor=officers[1], rationale="Name, date of birth and nationality match the listing.")
        case.refresh_from_db()
        services.case_decide(case=case, actor=officers[0], decision="reject", rationale="Confirmed sanctions match.")
    # open_hit: the case stays awaiting review with its hit open.
    for offset, product in enumerate(products[:3]):
        if outcome in ("approved", "expired"):
            services.appropriateness_record(
                actor=SYSTEM, investor=investor, product=product, passed=(index + offset) % 5 != 0
            )
            if (index + offset) % 3 == 0:
                services.position_set(actor=SYSTEM, investor=investor, product=product, contracts=10 * (index % 7 + 1))
    if category == "retail" and outcome == "approved":
        services.appropriateness_record(actor=SYSTEM, investor=investor, passed=index % 4 != 0, notes="General test.")
    return investor


@transaction.atomic
def seed() -> bool:
    """Investors across categories and residences, their KYC cases, hits, positions, tests."""
    created = import_real_lists()
    if Investor.objects.filter(reference="INV-0001").exists():
        return created
    officers = (User.objects.get(username="olivia"), User.objects.get(username="oscar"))
    products = list(ComputeProduct.objects.filter(applications__state__in=["approved", "listed"]).distinct())
    for index, row in enumerate(INVESTORS, start=1):
        _investor(row, index, officers, products)
    services.cases_expire()
    return True
