"""Demo disclosures: published versions for the demo products that reached approval, one
superseded version, and acknowledgements by the KYC demo investors when they exist.

Rendered synchronously through the services (no worker needed while seeding), so the demo
carries the same audit trail as real use. Only the documents the demo shows are rendered.
"""

from compliance.disclosures import services
from compliance.disclosures.models import DisclosureAcknowledgement, DisclosureDocument, DocumentStatus
from compliance.disclosures.selectors import disclosure_jurisdictions
from config.errors import Conflict
from products.models import ComputeProduct

SYSTEM = "system:seed_demo"
# Demo products that passed approval (listed, approved, suspended, delisted in products.demo).
# Found by state, not by symbol: the demo symbols follow the day the seed ran.
PUBLISHED_STATES = ("listed", "approved", "suspended", "delisted")
# The listed product's US document is published twice, so the demo shows a superseded version
# and its successor; investors acknowledge the listed product's documents.
SUPERSEDED = ("listed", "US")
ACKNOWLEDGED_STATE = "listed"


def _demo_products(states):
    from products.demo import ISSUERS

    return ComputeProduct.objects.filter(
        issuer__lei__in=[issuer["lei"] for issuer in ISSUERS], applications__state__in=states
    ).distinct()


def _publisher():
    from accounts.models import User

    return User.objects.filter(username="olivia").first() or SYSTEM


def _render_and_publish(product, jurisdiction, publisher) -> DisclosureDocument | None:
    try:
        draft = services.disclosure_render_now(product=product, jurisdiction=jurisdiction, language="en", actor=SYSTEM)
    except Conflict:
        # e.g. the rule findings block the jurisdiction: no offering document may exist there.
        return None
    return services.disclosure_publish(document=draft, actor=publisher)


def _seed_documents() -> bool:
    products = list(_demo_products(PUBLISHED_STATES).select_related("issuer"))
    if not products or DisclosureDocument.objects.filter(product__in=products).exists():
        return False
    superseded_state, superseded_jurisdiction = SUPERSEDED
    twice = set(_demo_products([superseded_state]).values_list("pk", flat=True))
    publisher = _publisher()
    superseded_doc = None
    for product in sorted(products, key=lambda p: p.symbol):
        for jurisdiction in disclosure_jurisdictions(product):
            document = _render_and_publish(product, jurisdiction, publisher)
            if product.pk in twice and jurisdiction == superseded_jurisdiction and document is not None:
                superseded_doc = document
    if superseded_doc is not None:
        # An investor acknowledged v1 before it was superseded (shown on the superseded page).
        _acknowledge_some(superseded_doc, count=1, channel="web")
        _render_and_publish(superseded_doc.product, superseded_doc.jurisdiction, publisher)
    return True


def _investors(count: int, jurisdiction: str | None = None):
    """Demo investors; with a jurisdiction, those resident there (an EU member state for EU),
    since only their acknowledgement matters to the eligibility of their orders."""
    try:
        from compliance.kyc.models import Investor
    except ImportError:
        return []
    investors = Investor.objects.order_by("reference")
    if jurisdiction == "EU":
        from compliance.eligibility.engine import EU_MEMBER_STATES

        investors = investors.filter(residence_jurisdiction__in=sorted(EU_MEMBER_STATES))
    elif jurisdiction:
        investors = investors.filter(residence_jurisdiction=jurisdiction)
    return list(investors[:count])


def _acknowledge_some(document, *, count: int, channel: str) -> bool:
    created = False
    for investor in _investors(count, document.jurisdiction):
        _ack, new = services.disclosure_acknowledge(document=document, investor=investor, channel=channel, actor=SYSTEM)
        created = created or new
    return created


def _seed_acknowledgements() -> bool:
    """Acknowledgements of the current versions of one product, once investors exist."""
    if DisclosureAcknowledgement.objects.filter(document__status=DocumentStatus.PUBLISHED).exists():
        return False
    created = False
    documents = DisclosureDocument.objects.filter(
        product__in=_demo_products([ACKNOWLEDGED_STATE]), status=DocumentStatus.PUBLISHED
    ).order_by("jurisdiction")
    for index, document in enumerate(documents):
        created = _acknowledge_some(document, count=3, channel="api" if index % 2 else "web") or created
    return created


def seed() -> bool:
    documents = _seed_documents()
    acknowledgements = _seed_acknowledgements()
    return documents or acknowledgements
