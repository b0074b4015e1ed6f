"""Reads for disclosures: what a user may see, what a rendering is based on, what is current.

The eligibility engine reads ``current_disclosures`` and ``current_acknowledgements`` (or
``acknowledged_versions`` for one investor) to require the acknowledgement of the current
version of each product's disclosure in a jurisdiction.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q, QuerySet

from compliance.disclosures.models import (
    DisclosureAcknowledgement,
    DisclosureDocument,
    DisclosureRendering,
    DocumentStatus,
)
from compliance.disclosures.rendering import JURISDICTIONS
from compliance.rules.selectors import distribution_constraints_for
from products.models import ApplicationState, ApplicationVersion, ComputeProduct, ProductApplication
from products.selectors import issuer_snapshot, product_terms

# Application states whose rule findings no longer count: the review ended without a decision.
_CLOSED_WITHOUT_DECISION = (ApplicationState.WITHDRAWN, ApplicationState.REJECTED)


# --- inputs of a rendering -------------------------------------------------------------------


@dataclass(frozen=True)
class DisclosureInputs:
    terms: dict
    issuer: dict
    mandatory_sections: list[str]
    # None while no rule run has decided the jurisdiction: the renderer then marks a DRAFT.
    constraints: dict | None
    application: ProductApplication | None
    application_version: ApplicationVersion | None


def _latest_application(product: ComputeProduct) -> ProductApplication | None:
    return (
        product.applications.exclude(state__in=_CLOSED_WITHOUT_DECISION).order_by("-created_at", "-id").first()
        or product.applications.order_by("-created_at", "-id").first()
    )


def _mandatory_sections(constraints: dict) -> list[str]:
    # The renderer orders sections itself; sorted here so the stored list compares stably.
    return sorted(set(constraints.get("disclosure_sections") or []))


def disclosure_inputs_for(product: ComputeProduct, jurisdiction: str) -> DisclosureInputs:
    """Everything a rendering of `product` for `jurisdiction` depends on.

    The terms are the product's current terms (a draft's edit shows in its next rendering);
    the mandatory sections and distribution constraints come from the rule findings of its
    latest application (`compliance.rules.selectors.distribution_constraints_for`).
    """
    terms = product_terms(product)
    application = _latest_application(product)
    version = None
    if application is not None:
        # Link the document to the submitted version it quotes, if the terms are that version's.
        version = next(
            (
                v
                for v in application.versions.order_by("-number")
                if v.terms.get("terms_version") == terms["terms_version"]
            ),
            None,
        )
    # None while no completed rule run covers the jurisdiction: the renderer marks a DRAFT.
    constraints = None
    if application is not None:
        found = distribution_constraints_for(application).get(jurisdiction)
        constraints = dict(found) if found is not None else None
    return DisclosureInputs(
        terms=terms,
        issuer=issuer_snapshot(product.issuer),
        mandatory_sections=_mandatory_sections(constraints or {}),
        constraints=constraints,
        application=application,
        application_version=version,
    )


def disclosure_jurisdictions(product: ComputeProduct) -> list[str]:
    """The product's jurisdictions of offer that have a disclosure template."""
    return [j for j in product.jurisdictions if j in JURISDICTIONS]


def disclosure_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


# --- visibility --------------------------------------------------------------------------------


def documents_visible_to(user) -> QuerySet[DisclosureDocument]:
    """Staff see every document; an issuer's users see their own products' documents only."""
    qs = DisclosureDocument.objects.select_related("product", "product__issuer", "published_by").defer("pdf", "html")
    if user.sees_all_issuers:
        return qs
    return qs.filter(product__issuer__members=user)


def renderings_visible_to(user) -> QuerySet[DisclosureRendering]:
    qs = DisclosureRendering.objects.select_related("product", "document")
    if user.sees_all_issuers:
        return qs
    return qs.filter(product__issuer__members=user)


def document_content(document_id: int) -> DisclosureDocument:
    """The document with its PDF and HTML loaded (the listing selectors defer them)."""
    return DisclosureDocument.objects.select_related("product").get(pk=document_id)


def document_by_sha256(sha256: str) -> DisclosureDocument | None:
    """The published (or since superseded) document with this PDF hash; drafts are never vouched for."""
    return (
        DisclosureDocument.objects.select_related("product", "product__issuer", "published_by")
        .defer("pdf", "html")
        .filter(sha256=sha256.strip().lower())
        .exclude(status=DocumentStatus.DRAFT)
        .order_by("-version")
        .first()
    )


@dataclass(frozen=True)
class JurisdictionDisclosures:
    """What the product and application pages show for one jurisdiction and language."""

    jurisdiction: str
    language: str
    current: DisclosureDocument | None
    draft: DisclosureDocument | None
    history: list[DisclosureDocument]
    last_rendering: DisclosureRendering | None


def product_disclosure_overview(product: ComputeProduct) -> list[JurisdictionDisclosures]:
    documents = list(
        DisclosureDocument.objects.filter(product=product).select_related("published_by").defer("pdf", "html")
    )
    renderings = {}
    for rendering in DisclosureRendering.objects.filter(product=product).order_by("requested_at", "id"):
        renderings[(rendering.jurisdiction, rendering.language)] = rendering
    rows = []
    for jurisdiction in disclosure_jurisdictions(product):
        for language in disclosure_languages():
            mine = [d for d in documents if d.jurisdiction == jurisdiction and d.language == language]
            rows.append(
                JurisdictionDisclosures(
                    jurisdiction=jurisdiction,
                    language=language,
                    current=next((d for d in mine if d.status == DocumentStatus.PUBLISHED), None),
                    draft=next((d for d in mine if d.status == DocumentStatus.DRAFT), None),
                    history=sorted(
                        (d for d in mine if d.status == DocumentStatus.SUPERSEDED), key=lambda d: -d.version
                    ),
                    last_rendering=renderings.get((jurisdiction, language)),
                )
            )
    return rows


# --- what eligibility reads ---------------------------------------------------------------------


@dataclass(frozen=True)
class CurrentDisclosure:
    """The published version(s) of a product's disclosure in one jurisdiction.

    ``document_ids`` holds one id per language; acknowledging any of them acknowledges the
    current version. ``version`` is the highest published version number among them.
    """

    document_ids: frozenset[int]
    version: int


# A published document is current only while it quotes the product's terms as they stand: once
# the terms change (a new terms version), it describes a product that no longer exists, and an
# acknowledgement of it must not satisfy eligibility until the new terms' version is published.
_CURRENT = Q(status=DocumentStatus.PUBLISHED, terms_version=F("product__terms_version"))


def current_disclosures() -> dict[tuple[int, str], CurrentDisclosure]:
    """{(product_id, jurisdiction): CurrentDisclosure} for every published document of the
    product's current terms."""
    grouped: dict[tuple[int, str], list[tuple[int, int]]] = {}
    rows = DisclosureDocument.objects.filter(_CURRENT).values_list("id", "product_id", "jurisdiction", "version")
    for document_id, product_id, jurisdiction, version in rows:
        grouped.setdefault((product_id, jurisdiction), []).append((document_id, version))
    return {
        key: CurrentDisclosure(document_ids=frozenset(i for i, _v in items), version=max(v for _i, v in items))
        for key, items in grouped.items()
    }


def acknowledged_versions(investor) -> dict[tuple[int, str], frozenset[int]]:
    """{(product_id, jurisdiction): versions this investor acknowledged}, current or not."""
    result: dict[tuple[int, str], set[int]] = {}
    rows = DisclosureAcknowledgement.objects.filter(investor=investor).values_list(
        "document__product_id", "document__jurisdiction", "document__version"
    )
    for product_id, jurisdiction, version in rows:
        result.setdefault((product_id, jurisdiction), set()).add(version)
    return {key: frozenset(versions) for key, versions in result.items()}


def acknowledged_current(investor) -> frozenset[tuple[int, str]]:
    """The (product_id, jurisdiction) pairs whose current version this investor acknowledged."""
    return frozenset(
        DisclosureAcknowledgement.objects.filter(
            investor=investor, document__in=DisclosureDocument.objects.filter(_CURRENT)
        ).values_list("document__product_id", "document__jurisdiction")
    )


def current_acknowledgements() -> frozenset[tuple[int, int, str]]:
    """(investor_id, product_id, jurisdiction) for every acknowledgement of a current version.

    One query for the eligibility snapshot: an investor satisfies the acknowledgement
    requirement for a product in a jurisdiction exactly when its triple is in this set.
    """
    return frozenset(
        DisclosureAcknowledgement.objects.filter(document__in=DisclosureDocument.objects.filter(_CURRENT)).values_list(
            "investor_id", "document__product_id", "document__jurisdiction"
        )
    )


def acknowledgements_of(document: DisclosureDocument) -> QuerySet[DisclosureAcknowledgement]:
    return document.acknowledgements.select_related("investor", "recorded_by")
