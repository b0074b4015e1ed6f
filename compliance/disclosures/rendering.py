"""Render a risk disclosure for one product x jurisdiction x language to HTML and PDF.

This module is deliberately independent of the database: it takes the frozen product terms
(the dict described in docs/terms.md), the issuer attributes and the distribution constraints
that the rule packs produced, and returns the document with its SHA-256. The Django models and
the Celery task store the result; they never need to re-derive anything from it.

Two properties matter more than anything else here:

* Content comes from the terms. Every risk paragraph quotes the figures it is about (the SLA,
  the remedy, the sites, the window, the index), so a change of terms changes the document.
* The PDF is reproducible. The same inputs give the same bytes and therefore the same hash:
  the PDF dates come from ``rendered_on``, nothing random is embedded, and nothing is fetched
  from the network (fonts come from the system's fontconfig).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from products.models import within_target_market

# Bump when the structure of the documents changes in a way reviewers should notice; the
# digest appended by ``_template_version`` tracks every edit of the template sources anyway.
TEMPLATE_SET = "disclosures-1"

JURISDICTIONS = ("US", "EU", "GB", "SG", "CH", "HK")

# The mandatory-section vocabulary shared with the rule packs, in document order.
SECTION_KEYS = (
    "delivery_shortfall",
    "performance_variability",
    "concentration",
    "obsolescence",
    "index_valuation",
    "liquidity",
    "counterparty_collateral",
    "tokenization",
    "fees_costs",
    # Last, so that each jurisdiction template can close the document with its own wording.
    "regulatory_status",
)

SECTION_TITLES = {
    "delivery_shortfall": _("Delivery shortfall risk"),
    "performance_variability": _("Performance variability"),
    "concentration": _("Data-centre and region concentration"),
    "obsolescence": _("Hardware obsolescence over the delivery window"),
    "index_valuation": _("Reference index and valuation risk"),
    "liquidity": _("Liquidity and early exit"),
    "counterparty_collateral": _("Counterparty and collateral risk"),
    "tokenization": _("Tokenisation risks"),
    "regulatory_status": _("Regulatory status and eligible investors"),
    "fees_costs": _("Fees and costs"),
}

# PRIIPs (Regulation (EU) 1286/2014, Art. 6(4)) caps a key information document at three
# sides of A4; the renderer refuses to produce a longer one rather than silently publish it.
KID_MAX_PAGES = 3

# Up to this many delivery sites the summary box lists them one by one; above it, it counts them
# per country and leaves the full list to the concentration section, so that a product with
# many sites does not turn the summary into a list that pushes everything else off page 1.
SUMMARY_MAX_SITES = 5

PRODUCT_TYPE_LABELS = {
    "physical_forward": _("physically settled forward"),
    "future": _("future"),
    "cash_settled_swap": _("cash-settled swap"),
    "capacity_reservation": _("capacity reservation with physical delivery"),
    "tokenized_credit": _("tokenised compute credit"),
}

INVESTOR_CATEGORY_LABELS = {
    "retail": _("retail investors"),
    "professional": _("professional investors"),
    "eligible_counterparty": _("eligible counterparties"),
    "accredited": _("accredited investors"),
    "eligible_contract_participant": _("eligible contract participants"),
}

TARGET_MARKET_LABELS = {
    "retail": _("retail investors allowed"),
    "professional": _("professional investors only"),
}

# The same names as they read inside a sentence ("In the United Kingdom the product ...").
JURISDICTION_IN = {
    "US": _("In the United States"),
    "EU": _("In the European Union"),
    "GB": _("In the United Kingdom"),
    "SG": _("In Singapore"),
    "CH": _("In Switzerland"),
    "HK": _("In Hong Kong"),
}

JURISDICTION_NAMES = {
    "US": _("United States"),
    "EU": _("European Union"),
    "GB": _("United Kingdom"),
    "SG": _("Singapore"),
    "CH": _("Switzerland"),
    "HK": _("Hong Kong"),
}

# Starting point of the summary risk indicator when the rule pack does not set one: these
# are leveraged or forward-dated exposures to a young, volatile rental market, so none of them
# starts below the upper half of the PRIIPs scale. Swaps and tokens sit higher because their
# value depends on an index or a token ledger on top of the delivery itself.
_SRI_BASE = {
    "physical_forward": 5,
    "future": 5,
    "capacity_reservation": 4,
    "cash_settled_swap": 6,
    "tokenized_credit": 6,
}

_ALWAYS_REQUIRED = (
    "symbol",
    "name",
    "product_type",
    "settlement_type",
    "accelerator_vendor",
    "accelerator_model",
    "contract_size",
    "lot_size",
    "minimum_order",
    "delivery_start",
    "delivery_end",
    "settlement_currency",
    "target_market",
    "collateral_pct",
)
_PHYSICAL_REQUIRED = (
    "provider_name",
    "provider_lei",
    "sla_availability_pct",
    "sla_measurement_method",
    "remedy_credit_pct",
    "remedy_make_whole",
    "remedy_substitution",
    "delivery_sites",
)
_CASH_REQUIRED = ("reference_index", "index_administrator", "index_methodology")
_TOKEN_REQUIRED = ("token_network", "token_standard", "token_contract")
_ISSUER_REQUIRED = ("legal_name", "lei", "country")

TEMPLATES_ROOT = Path(__file__).resolve().parents[2] / "templates"


class DisclosureError(Exception):
    """The inputs cannot produce a disclosure that may be published."""


# What WeasyPrint loads through ctypes/cffi at import time (the Makefile's system-deps target).
SYSTEM_PACKAGES = (
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "libharfbuzz0b",
    "libharfbuzz-subset0",
    "fonts-dejavu-core",
    "fonts-liberation2",
)


class RendererUnavailable(DisclosureError):
    """WeasyPrint cannot load its system libraries (Pango, HarfBuzz)."""

    def __init__(self, cause: Exception):
        self.cause = cause
        super().__init__(
            f"WeasyPrint cannot load its system libraries ({cause}); install the Debian packages "
            f"{' '.join(SYSTEM_PACKAGES)} (make system-deps)"
        )


def load_weasyprint():
    """Import WeasyPrint, turning a missing Pango/HarfBuzz into one explanatory error.

    WeasyPrint opens the shared libraries when it is imported, so a machine without them
    fails with an OSError deep in cffi; callers (the task, the command) show this message.
    """
    try:
        import weasyprint
        import weasyprint.urls
    except OSError as error:
        raise RendererUnavailable(error) from None
    return weasyprint


class IncompleteTerms(DisclosureError):
    """A value the document must quote is missing from the terms or issuer."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__("cannot render the disclosure, these values are missing: " + ", ".join(missing))


class DisclosureTooLong(DisclosureError):
    """The rendered document exceeds the page limit of its layout."""

    def __init__(self, *, page_count: int, limit: int, layout: str):
        self.page_count = page_count
        self.limit = limit
        self.layout = layout
        super().__init__(
            f"the {layout} renders to {page_count} A4 pages but may not exceed {limit}; "
            "shorten the terms' free-text fields or split the content"
        )


class MandatorySectionMissing(DisclosureError):
    """A section the rule pack made mandatory did not make it into the document."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(
            "sections required by the rule pack are missing from the rendered document: " + ", ".join(missing)
        )


@dataclass(frozen=True)
class RenderedDisclosure:
    html: str
    pdf: bytes
    sha256: str
    page_count: int
    template_version: str


@dataclass(frozen=True)
class Section:
    key: str
    number: int
    title: Promise | str
    mandatory: bool
    applicable: bool
    # Why the section does not apply; rendered in its place when the rule pack requires it.
    not_applicable_reason: Promise | str = ""

    @property
    def template_name(self) -> str:
        return f"disclosures/sections/{self.key}.html"


def render_disclosure(
    *,
    terms: dict,
    issuer: dict,
    jurisdiction: str,
    language: str,
    document_version: int,
    mandatory_sections: list[str],
    rendered_on: date,
    constraints: dict | None,
) -> RenderedDisclosure:
    """Render the disclosure document and return its HTML, PDF bytes and PDF SHA-256.

    ``constraints`` are the distribution constraints the rule packs derived for this
    jurisdiction, with the keys of ``compliance.rules`` (``allowed_investor_categories``,
    ``appropriateness_required``, ``acknowledgement_required``, ``jurisdiction_blocked``). ``None``
    means they are not decided yet: the document is then rendered and marked as a draft.

    Raises ``DisclosureTooLong`` when an EU retail KID exceeds three pages,
    ``MandatorySectionMissing`` when a section the rule pack requires is absent from the
    output, ``IncompleteTerms`` when a figure the document must quote is missing, and
    ``DisclosureError`` for any other input that cannot be published (an unknown
    jurisdiction, a blocked distribution).
    """
    jurisdiction = jurisdiction.upper()
    if jurisdiction not in JURISDICTIONS:
        raise DisclosureError(
            f"no disclosure template for jurisdiction {jurisdiction!r}; supported: {', '.join(JURISDICTIONS)}"
        )
    if document_version < 1:
        raise DisclosureError("document_version starts at 1")
    unknown = sorted(set(mandatory_sections) - set(SECTION_KEYS))
    if unknown:
        raise DisclosureError(f"unknown mandatory disclosure sections: {', '.join(unknown)}")
    if constraints and constraints.get("jurisdiction_blocked"):
        # A disclosure is an offering document; one for a blocked market must not exist.
        raise DisclosureError(f"distribution of {terms.get('symbol')} is blocked in {jurisdiction}")
    _check_complete(terms, issuer)

    layout_template = _layout_template(jurisdiction, terms)
    # Delivery times are contractual UTC instants: format them in UTC whatever TIME_ZONE says,
    # which also keeps the output independent of the server's settings.
    with translation.override(language), timezone.override(UTC):
        context = _build_context(
            terms=terms,
            issuer=issuer,
            jurisdiction=jurisdiction,
            language=language,
            document_version=document_version,
            mandatory_sections=mandatory_sections,
            rendered_on=rendered_on,
            constraints=constraints,
            is_kid=layout_template == "disclosures/eu_kid.html",
        )
        engine = _django_engine()
        html = engine.get_template(layout_template).render(context)

    _check_mandatory_present(html, mandatory_sections)
    pdf, page_count = _write_pdf(html)
    if context["is_kid"] and page_count > KID_MAX_PAGES:
        raise DisclosureTooLong(page_count=page_count, limit=KID_MAX_PAGES, layout="EU key information document")
    return RenderedDisclosure(
        html=html,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        page_count=page_count,
        template_version=_template_version(engine, layout_template),
    )


def _layout_template(jurisdiction: str, terms: dict) -> str:
    if jurisdiction == "EU" and terms.get("target_market") == "retail":
        return "disclosures/eu_kid.html"
    return f"disclosures/{jurisdiction.lower()}.html"


def _django_engine() -> DjangoTemplates:
    # Pick the Django template engine explicitly: the project may add a Jinja2 backend for
    # other pages, and these templates use Django tags ({% translate %}, {% blocktranslate %}).
    for engine in engines.all():
        if isinstance(engine, DjangoTemplates):
            return engine
    raise DisclosureError("no DjangoTemplates backend is configured in TEMPLATES")


def _missing(values: dict, keys: tuple[str, ...], prefix: str) -> list[str]:
    return [f"{prefix}.{key}" for key in keys if values.get(key) in (None, "", [])]


def _check_complete(terms: dict, issuer: dict) -> None:
    missing = _missing(terms, _ALWAYS_REQUIRED, "terms")
    if terms.get("settlement_type") == "physical":
        missing += _missing(terms, _PHYSICAL_REQUIRED, "terms")
    elif terms.get("settlement_type") == "cash":
        missing += _missing(terms, _CASH_REQUIRED, "terms")
    if terms.get("is_tokenized"):
        missing += _missing(terms, _TOKEN_REQUIRED, "terms")
    if terms.get("sla_performance_floor_pct") and not terms.get("sla_reference_benchmark"):
        missing.append("terms.sla_reference_benchmark")
    if (terms.get("collateral_pct") or 0) > 0 and not terms.get("collateral_custodian"):
        missing.append("terms.collateral_custodian")
    missing += _missing(issuer, _ISSUER_REQUIRED, "issuer")
    if missing:
        raise IncompleteTerms(missing)


def _sections(terms: dict, mandatory: set[str]) -> list[Section]:
    physical = terms.get("settlement_type") == "physical"
    has_floor = physical and bool(terms.get("sla_performance_floor_pct"))
    has_sites = bool(terms.get("delivery_sites") or terms.get("delivery_regions"))
    applicability: dict[str, tuple[bool, Promise | str]] = {
        "delivery_shortfall": (
            physical,
            _(
                "Not applicable because the product is cash settled: no compute capacity is "
                "delivered to the holder, so no delivery can fall short."
            ),
        ),
        "performance_variability": (
            has_floor,
            _(
                "Not applicable because the product is cash settled: the holder receives a "
                "cash amount, not compute whose performance could vary."
            )
            if not physical
            else _(
                "Not applicable because the terms set no performance floor: the provider "
                "commits to availability only, and delivered performance is not guaranteed."
            ),
        ),
        "concentration": (
            has_sites,
            _("Not applicable because the terms name no delivery site or region."),
        ),
        "obsolescence": (True, ""),
        "index_valuation": (
            not physical,
            _(
                "Not applicable because the product is physically settled: it is settled by "
                "delivering compute capacity, not by reference to an index or valuation."
            ),
        ),
        "liquidity": (True, ""),
        "counterparty_collateral": (True, ""),
        "tokenization": (
            bool(terms.get("is_tokenized")),
            _(
                "Not applicable because the product is not tokenised: it is recorded only in "
                "the books of the issuer and the trading venue."
            ),
        ),
        "regulatory_status": (True, ""),
        "fees_costs": (True, ""),
    }
    sections = []
    for key in SECTION_KEYS:
        applicable, reason = applicability[key]
        is_mandatory = key in mandatory
        # Inapplicable sections are left out unless the rule pack requires them, in which case
        # the reader is told explicitly why the risk does not arise.
        if applicable or is_mandatory:
            sections.append(
                Section(
                    key=key,
                    number=len(sections) + 1,
                    title=SECTION_TITLES[key],
                    mandatory=is_mandatory,
                    applicable=applicable,
                    not_applicable_reason="" if applicable else reason,
                )
            )
    return sections


def _check_mandatory_present(html: str, mandatory_sections: list[str]) -> None:
    # The templates decide the layout, so verify the output rather than trust them: a
    # jurisdiction template that overrides a block could otherwise drop a required section.
    missing = [key for key in mandatory_sections if f'id="section-{key}"' not in html]
    if missing:
        raise MandatorySectionMissing(missing)


def _local_url_fetcher():
    URLFetcher = load_weasyprint().urls.URLFetcher  # noqa: N806 - a class, named as in WeasyPrint

    templates_uri = TEMPLATES_ROOT.as_uri() + "/"

    class TemplatesOnlyFetcher(URLFetcher):
        # A published document must not depend on anything outside the machine, and must
        # render the same later: only files under templates/ (and inline data) may be loaded.
        def fetch(self, url, headers=None):
            if url.startswith(("data:", templates_uri)):
                return super().fetch(url, headers)
            raise ValueError(f"disclosure templates may not load external resources: {url}")

    # fail_on_errors: a missing resource stops the rendering instead of silently vanishing
    # from a document that is about to be hashed and published.
    return TemplatesOnlyFetcher(fail_on_errors=True)


def _write_pdf(html: str) -> tuple[bytes, int]:
    weasyprint = load_weasyprint()
    FatalURLFetchingError = weasyprint.urls.FatalURLFetchingError  # noqa: N806 - an exception class

    try:
        document = weasyprint.HTML(
            string=html,
            base_url=str(TEMPLATES_ROOT / "disclosures") + "/",
            url_fetcher=_local_url_fetcher(),
        ).render()
    except FatalURLFetchingError as error:
        raise DisclosureError(f"{error}: {error.__cause__}") from error
    return document.write_pdf(), len(document.pages)


def _template_version(engine: DjangoTemplates, layout_template: str) -> str:
    """Name the template set that produced a document, down to the exact sources.

    The digest covers every template the layout may include, resolved through the engine so
    that it reflects what was actually loaded; any edit of wording or style changes it.
    """
    names = sorted(
        {layout_template}
        | {
            "disclosures/" + path.relative_to(TEMPLATES_ROOT / "disclosures").as_posix()
            for path in (TEMPLATES_ROOT / "disclosures").rglob("*")
            if path.is_file()
        }
    )
    digest = hashlib.sha256()
    for name in names:
        template, _origin = engine.engine.find_template(name)
        digest.update(name.encode() + b"\0" + template.source.encode() + b"\0")
    return f"{TEMPLATE_SET}+{digest.hexdigest()[:12]}"


# --- context -----------------------------------------------------------------------------


def _num(value: float | int, places: int | None = None) -> str:
    """Localised number without float noise: 99.5 -> '99.5', 1000.0 -> '1,000'."""
    number = Decimal(str(value))
    if places is not None:
        number = round(number, places)
    number = number.normalize()
    if number == number.to_integral():
        number = number.quantize(Decimal(1))
    return formats.number_format(number, use_l10n=True, force_grouping=True)


def _count(number: Decimal | int) -> int:
    """The integer that picks a plural form (``{% blocktranslate count %}``) for ``number``.

    gettext plural rules take integers. A fraction reads as plural in English ("1.5 months",
    "0.5 hours"), so it counts as at least 2; whole numbers count as themselves ("1 month").
    """
    number = Decimal(number)
    if number == number.to_integral_value():
        return int(number)
    return max(2, int(abs(number).to_integral_value(rounding=ROUND_CEILING)))


def _duration_count(number: Decimal | int) -> int:
    """``_count`` for a duration quoted from 1 up; 0 (under 1) has the template say "less than"."""
    return _count(number) if number >= 1 else 0


def _pct(value: float | int, places: int | None = None) -> str:
    return f"{_num(value, places)}%"


def _clause(text: str | None) -> str:
    # Free-text terms are quoted inside the document's own sentences, which supply the final
    # full stop; an issuer's trailing one would otherwise print as "..".
    return (text or "").strip().rstrip(".")


def _parse_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _country_name(code: str) -> str:
    if code == "EU":
        return str(JURISDICTION_NAMES["EU"])
    import pycountry

    country = pycountry.countries.get(alpha_2=code.upper())
    return country.name if country else code


def _months_between(start: date, end: date) -> Decimal:
    # Average Gregorian month, good to one decimal for a risk narrative.
    return round(Decimal((end - start).days) / Decimal("30.4375"), 1)


def _summary_risk_indicator(terms: dict, constraints: dict | None) -> tuple[int, bool]:
    """Return the SRI (1-7) and whether the rule pack set it rather than the default method."""
    if constraints and constraints.get("summary_risk_indicator"):
        return max(1, min(7, int(constraints["summary_risk_indicator"]))), True
    sri = _SRI_BASE.get(terms["product_type"], 5)
    # A delivery obligation that is not fully collateralised adds the credit risk of the
    # provider on top of the market risk, which PRIIPs folds into one indicator.
    if (terms.get("collateral_pct") or 0) < 100:
        sri += 1
    return min(sri, 7), False


def _build_context(
    *,
    terms: dict,
    issuer: dict,
    jurisdiction: str,
    language: str,
    document_version: int,
    mandatory_sections: list[str],
    rendered_on: date,
    constraints: dict | None,
    is_kid: bool,
) -> dict:
    t = terms
    physical = t["settlement_type"] == "physical"
    start = _parse_datetime(t["delivery_start"])
    end = _parse_datetime(t["delivery_end"])
    window: timedelta = end - start
    window_days = Decimal(window.total_seconds()) / Decimal(86400)
    window_hours = Decimal(window.total_seconds()) / Decimal(3600)

    sites = [
        {"site_id": s["site_id"], "country": s["country"], "country_name": _country_name(s["country"])}
        for s in t.get("delivery_sites") or []
    ]
    regions = [{"code": r, "name": _country_name(r)} for r in t.get("delivery_regions") or []]
    site_countries = Counter(s["country"] for s in sites)
    largest_country, largest_count = site_countries.most_common(1)[0] if site_countries else ("", 0)
    concentration = {
        "site_count": len(sites),
        "country_count": len(site_countries),
        "region_count": len(regions),
        "single_country": len(site_countries) == 1 or (not site_countries and len(regions) == 1),
        "single_site": len(sites) == 1,
        "largest_country": largest_country,
        "largest_country_name": _country_name(largest_country) if largest_country else "",
        "largest_country_share": _pct(100 * largest_count / len(sites), 0) if sites else "",
        "site_count_display": _num(len(sites)),
        "country_count_display": _num(len(site_countries)),
        # The summary box lists the sites only while they are few; otherwise it counts them per
        # country (by_country) and the concentration section carries the full list.
        "sites_in_summary": len(sites) <= SUMMARY_MAX_SITES,
        "by_country": [
            {"code": code, "name": _country_name(code), "count": count, "count_display": _num(count)}
            for code, count in sorted(site_countries.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "only_region_name": regions[0]["name"] if len(regions) == 1 else "",
        "only_region_code": regions[0]["code"] if len(regions) == 1 else "",
    }

    sla = {}
    if physical:
        availability = Decimal(str(t["sla_availability_pct"]))
        downtime_hours = max(Decimal(0), window_hours * (Decimal(100) - availability) / Decimal(100))
        sla = {
            "availability": _pct(availability),
            "shortfall_allowance": _pct(Decimal(100) - availability),
            **_downtime(downtime_hours),
            "credit": _pct(t["remedy_credit_pct"]),
            "make_whole": bool(t["remedy_make_whole"]),
            "substitution": bool(t["remedy_substitution"]),
            "floor": _pct(t["sla_performance_floor_pct"]) if t.get("sla_performance_floor_pct") else "",
            "floor_gap": _pct(Decimal(100) - Decimal(str(t["sla_performance_floor_pct"])))
            if t.get("sla_performance_floor_pct")
            else "",
        }

    attestation = {}
    if t.get("last_attestation_date"):
        attested_on = date.fromisoformat(t["last_attestation_date"])
        age = (rendered_on - attested_on).days
        max_age = t.get("attestation_max_age_days") or 0
        attestation = {
            "date": attested_on,
            # Figures are formatted like every other number of the document ("739,953"); the
            # *_count twins choose the plural form ("1 day", "2 days").
            "age_days": _num(age),
            "age_days_count": age,
            "max_age_days": _num(max_age),
            "max_age_days_count": max_age,
            "stale": bool(max_age) and age > max_age,
        }

    collateral_pct = Decimal(str(t.get("collateral_pct") or 0))
    uncovered = max(Decimal(0), Decimal(100) - collateral_pct)

    # The rules' vocabulary: None means no fired rule restricts the categories (anyone may
    # buy); an empty list means the restrictions admit nobody.
    raw_categories = (constraints or {}).get("allowed_investor_categories")
    rule_categories = None if raw_categories is None else frozenset(raw_categories)
    # The issuer's target market narrows what the rules allow, as it does in the screening API.
    allowed = within_target_market(t.get("target_market", ""), rule_categories, frozenset(INVESTOR_CATEGORY_LABELS))
    categories_restricted = constraints is not None and allowed is not None
    categories = [c for c in INVESTOR_CATEGORY_LABELS if c in (allowed or ())]
    sri, sri_from_rule_pack = _summary_risk_indicator(t, constraints)
    mandatory = set(mandatory_sections)
    sections = _sections(t, mandatory)

    contract_size = Decimal(str(t["contract_size"]))
    window_days_shown = round(window_days, 1)
    window_hours_shown = round(window_hours, 0)
    window_months = _months_between(start.date(), end.date())
    months_until_end = _months_between(rendered_on, end.date())
    facts = {
        "product_type_label": PRODUCT_TYPE_LABELS.get(t["product_type"], t["product_type"]),
        "physical": physical,
        "delivery_start": start,
        "delivery_end": end,
        # Durations: the display string, and a count that picks the plural form and is 0 when
        # the figure would round to nothing, so that the templates say "less than ..." or leave
        # the unit out instead of printing "0 days, about 0 months".
        "window_days": _num(window_days_shown),
        "window_days_count": _duration_count(window_days_shown),
        "window_months": _num(window_months),
        "window_months_count": _duration_count(window_months),
        "window_hours": _num(window_hours_shown),
        "window_hours_count": _duration_count(window_hours_shown),
        "months_until_end": _num(months_until_end),
        "months_until_end_count": _duration_count(months_until_end),
        "delivery_started": start.date() <= rendered_on,
        # By the start of the document's date the window is over: there is no time left to quote.
        "delivery_ended": end <= datetime.combine(rendered_on, datetime.min.time(), tzinfo=UTC),
        "contract_size": _num(contract_size),
        "lot_size": _num(t["lot_size"]),
        "minimum_order": _num(t["minimum_order"]),
        "minimum_order_gpu_hours": _num(contract_size * t["minimum_order"]),
        "position_limit": _num(t["position_limit"]) if t.get("position_limit") else "",
        "memory_gb": _num(t["accelerator_memory_gb"]) if t.get("accelerator_memory_gb") else "",
        "sites": sites,
        "regions": regions,
        "concentration": concentration,
        "sla": sla,
        "attestation": attestation,
        "collateral": _pct(collateral_pct),
        "uncollateralised": _pct(uncovered),
        "fully_collateralised": uncovered == 0,
        "venues": t.get("requested_venues") or [],
        "fees": _fees(t),
        "measurement_method": _clause(t.get("sla_measurement_method")),
        "index_methodology": _clause(t.get("index_methodology")),
        "sri": sri,
        "sri_scale": list(range(1, 8)),
        "sri_from_rule_pack": sri_from_rule_pack,
        "investor_categories": [INVESTOR_CATEGORY_LABELS.get(c, c.replace("_", " ")) for c in categories],
        "categories_restricted": categories_restricted,
        # Only the issuer's target market restricts the categories: the rules leave them open.
        "restricted_by_target_market_only": categories_restricted and rule_categories is None,
        "target_market_label": TARGET_MARKET_LABELS.get(t.get("target_market"), ""),
        "retail_allowed": constraints is not None and (not categories_restricted or "retail" in categories),
        "appropriateness_required": bool((constraints or {}).get("appropriateness_required")),
        "acknowledgement_required": bool((constraints or {}).get("acknowledgement_required")),
        "issuer_country_name": _country_name(issuer["country"]),
    }
    return {
        "t": t,
        "issuer": issuer,
        "f": facts,
        "sections": sections,
        "section": {s.key: s for s in sections},
        "jurisdiction": jurisdiction,
        "jurisdiction_name": JURISDICTION_NAMES[jurisdiction],
        "in_jurisdiction": JURISDICTION_IN[jurisdiction],
        "language": language,
        "document_version": document_version,
        "rendered_on": rendered_on,
        "rendered_on_iso": rendered_on.isoformat(),
        "constraints": constraints,
        "draft": constraints is None,
        "is_kid": is_kid,
    }


def _downtime(hours: Decimal) -> dict:
    """How long each accelerator may be down without a breach, in a unit that is not zero.

    Hours to one decimal from one hour up ("10.9 hours"), minutes to one decimal below that
    (99.999% of a 91-day window is "1.3 minutes", not "0 hours"), and ``downtime_unit``
    "negligible" when even that rounds to nothing (under 3 seconds); "none" only when the
    SLA promises 100%.
    """
    hours_shown = round(hours, 1)
    minutes_shown = round(hours * 60, 1)
    if hours <= 0:
        unit = "none"
    elif hours_shown >= 1:
        unit = "hours"
    elif minutes_shown > 0:
        unit = "minutes"
    else:
        unit = "negligible"
    return {
        "downtime_unit": unit,
        "downtime_hours": _num(hours_shown),
        "downtime_hours_count": _count(hours_shown),
        "downtime_minutes": _num(minutes_shown),
        "downtime_minutes_count": _count(minutes_shown),
    }


def _fees(terms: dict) -> list[dict]:
    """Fee lines, if the terms carry them, as ``{"label", "amount", "basis"}`` dicts.

    The terms vocabulary has no fee schedule yet; an issuer that declares one under ``fees``
    gets it quoted verbatim, and the fees section otherwise states that none was declared.
    """
    return [
        {
            "label": fee.get("label", ""),
            "amount": fee.get("amount", ""),
            "basis": fee.get("basis", ""),
        }
        for fee in terms.get("fees") or []
    ]
