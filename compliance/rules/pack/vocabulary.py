"""The closed vocabularies a rule pack may use.

Attribute names and types mirror docs/terms.md (the product-terms dict shared by rules,
disclosures and eligibility). A condition may only reference attributes listed here; the
loader checks every reference statically, so a typo in a pack fails at load time instead of
silently never firing in production.
"""

from __future__ import annotations

from types import MappingProxyType

# Attribute types. "list_str" and "list_site" are lists; everything else is a scalar.
STR = "str"
INT = "int"
FLOAT = "float"
BOOL = "bool"
LIST_STR = "list_str"
LIST_SITE = "list_site"

# In CEL an absent value is replaced by its type's zero so that conditions stay total
# (docs/terms.md): a rule never errors because an optional term is null.
ZERO_VALUES = MappingProxyType({STR: "", INT: 0, FLOAT: 0.0, BOOL: False, LIST_STR: (), LIST_SITE: ()})

PRODUCT_ATTRIBUTES = MappingProxyType(
    {
        "symbol": STR,
        "name": STR,
        "product_type": STR,
        "accelerator_vendor": STR,
        "accelerator_model": STR,
        "accelerator_memory_gb": INT,
        "quantity_unit": STR,
        "contract_size": FLOAT,
        "lot_size": INT,
        "minimum_order": INT,
        "position_limit": INT,
        "delivery_start": STR,
        "delivery_end": STR,
        "delivery_regions": LIST_STR,
        "delivery_sites": LIST_SITE,
        "provider_name": STR,
        "provider_lei": STR,
        "sla_availability_pct": FLOAT,
        "sla_performance_floor_pct": FLOAT,
        "sla_reference_benchmark": STR,
        "sla_measurement_method": STR,
        "remedy_credit_pct": FLOAT,
        "remedy_make_whole": BOOL,
        "remedy_substitution": BOOL,
        "settlement_type": STR,
        "reference_index": STR,
        "index_administrator": STR,
        "index_methodology": STR,
        "settlement_currency": STR,
        "collateral_pct": FLOAT,
        "collateral_custodian": STR,
        "last_attestation_date": STR,
        "attestation_max_age_days": INT,
        "target_market": STR,
        "jurisdictions": LIST_STR,
        "requested_venues": LIST_STR,
        "is_tokenized": BOOL,
        "token_network": STR,
        "token_standard": STR,
        "token_contract": STR,
        "terms_version": INT,
    }
)

ISSUER_ATTRIBUTES = MappingProxyType({"legal_name": STR, "lei": STR, "country": STR, "registration_number": STR})

# application.* extends docs/terms.md with what a rule needs but the product terms cannot say:
# the review date (conditions have no clock of their own, so a replayed run decides the same),
# the attestation age derived from it, and the regulatory types of the requested venues.
APPLICATION_ATTRIBUTES = MappingProxyType(
    {
        "version": INT,
        "jurisdiction": STR,
        "submitted_on": STR,
        "attestation_age_days": INT,
        "venue_types": LIST_STR,
    }
)

# Attributes computed by build_context from other attributes; callers and examples must not
# set them, otherwise an example could contradict the data it was derived from.
DERIVED_ATTRIBUTES = frozenset({("application", "attestation_age_days")})

ROOTS = MappingProxyType(
    {
        "product": PRODUCT_ATTRIBUTES,
        "issuer": ISSUER_ATTRIBUTES,
        "application": APPLICATION_ATTRIBUTES,
    }
)

# Fields of the elements of list-of-map attributes, so `s.country` inside
# `product.delivery_sites.exists(s, ...)` is checked too.
ELEMENT_FIELDS = MappingProxyType({LIST_SITE: frozenset({"country", "site_id"})})

PRODUCT_TYPES = frozenset(
    {
        "physical_forward",
        "future",
        "cash_settled_swap",
        "capacity_reservation",
        "tokenized_credit",
    }
)

# Regulatory type of a venue, resolved by the caller from its venue registry (a MIC alone does
# not say whether a venue is a DCM or an MTF). Rules test application.venue_types against these.
VENUE_TYPES = MappingProxyType(
    {
        "dcm": "US designated contract market (CEA §5)",
        "sef": "US swap execution facility (CEA §5h)",
        "fbot": "US-registered foreign board of trade (17 CFR Part 48)",
        "nse": "US national securities exchange (Exchange Act §6)",
        "ats": "US alternative trading system (Regulation ATS)",
        "eu_rm": "EU regulated market (MiFID II Art. 4(1)(21))",
        "eu_mtf": "EU multilateral trading facility (MiFID II Art. 4(1)(22))",
        "eu_otf": "EU organised trading facility (MiFID II Art. 4(1)(23))",
        "mica_platform": "EU trading platform for crypto-assets (MiCA Art. 76)",
        "uk_rie": "UK recognised investment exchange (FSMA 2000 s.285)",
        "uk_mtf": "UK multilateral trading facility",
        "uk_otf": "UK organised trading facility",
        "sg_ae": "Singapore approved exchange (SFA)",
        "sg_rmo": "Singapore recognised market operator (SFA)",
        "ch_exchange": "Swiss stock exchange (FinMIA Art. 26(b))",
        "ch_mtf": "Swiss multilateral trading facility (FinMIA Art. 26(c))",
        "ch_otf": "Swiss organised trading facility (FinMIA Art. 42)",
        "ch_dlt_tf": "Swiss DLT trading facility (FinMIA Art. 73a)",
        "hk_exchange": "Hong Kong recognized exchange company (SFO)",
        "hk_ats": "Hong Kong authorized automated trading service (SFO Part III)",
        "hk_vatp": "Hong Kong licensed virtual asset trading platform",
        "otc": "no venue: bilateral, over the counter",
    }
)

# What a `require:<artifact>` outcome may require.
ARTIFACTS = MappingProxyType(
    {
        "prospectus": "an approved or registered prospectus / offering document",
        "kid": "a key information document for retail investors (PRIIPs KID or equivalent)",
        "white_paper": "a crypto-asset white paper (MiCA Title II or equivalent)",
        "risk_disclosure_statement": "a standard risk disclosure statement given before trading",
        "regulated_venue": "admission to a venue of a regulated type in the jurisdiction",
        "professional_only_distribution": "distribution restricted to non-retail investors",
        "financial_promotion_approval": "marketing approved by an authorised person",
        "benchmark_statement": "a statement on the reference index's administrator and method",
        "capacity_attestation": "a current independent attestation of deliverable capacity",
        "collateral_arrangement": "a documented collateral and custody arrangement",
        "shortfall_remedy": "a contractual remedy for a delivery shortfall",
        "legal_entity_identifier": "a valid LEI for the named legal entity",
        "classification_opinion": "a legal opinion on the product's regulatory classification",
    }
)

# Sections of the risk disclosure a fired rule can make mandatory. The disclosure templates
# key on these names, so the list is closed.
DISCLOSURE_SECTIONS = MappingProxyType(
    {
        "delivery_shortfall": "what happens if the provider cannot deliver; SLA and remedies",
        "performance_variability": "delivered performance may fall below the benchmark",
        "concentration": "dependence on few data centres, regions or one provider",
        "obsolescence": "newer accelerators can reduce the value of the contracted hardware",
        "index_valuation": "how the reference index is built, administered and may fail",
        "liquidity": "the investor may not be able to sell or close out",
        "counterparty_collateral": "exposure to the issuer/provider and the collateral held",
        "tokenization": "token network, smart-contract and custody risks",
        "regulatory_status": "how the product is classified and which protections apply",
        "fees_costs": "all costs and charges and their effect on return",
    }
)

INVESTOR_CATEGORIES = frozenset(
    {
        "retail",
        "professional",
        "eligible_counterparty",
        "accredited",
        "eligible_contract_participant",
    }
)

OUTCOME_KINDS = frozenset({"block", "require", "warn"})

# Regional codes accepted besides ISO 3166 alpha-2.
REGIONAL_JURISDICTIONS = frozenset({"EU"})
