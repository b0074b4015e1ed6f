"""Sample product terms, issuer and distribution constraints for the disclosure tests.

They follow the vocabulary of docs/terms.md and are shaped like the demo products: a physically
settled forward, a cash-settled index swap and a tokenised credit.
"""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# A physically settled H100 forward with three German sites: the shape of the demo product.
PHYSICAL_TERMS = {
    "symbol": "H100-FWD-26Q3",
    "name": "NVIDIA H100 GPU-hour forward, Q3 2026",
    "product_type": "physical_forward",
    "accelerator_vendor": "NVIDIA",
    "accelerator_model": "H100 SXM",
    "accelerator_memory_gb": 80,
    "quantity_unit": "gpu_hour",
    "contract_size": 1000.0,
    "lot_size": 10,
    "minimum_order": 10,
    "position_limit": 5000,
    "delivery_start": "2026-07-01T00:00:00Z",
    "delivery_end": "2026-09-30T00:00:00Z",
    "delivery_regions": ["DE"],
    "delivery_sites": [
        {"country": "DE", "site_id": "FRA-01"},
        {"country": "DE", "site_id": "FRA-02"},
        {"country": "DE", "site_id": "MUC-01"},
    ],
    "provider_name": "Rheinland Compute GmbH",
    "provider_lei": "5299000J2N45DDNE4Y28",
    "sla_availability_pct": 99.5,
    "sla_performance_floor_pct": 95.0,
    "sla_reference_benchmark": "MLPerf Training v4.0 GPT-3 175B",
    "sla_measurement_method": (
        "per-accelerator health probes every 60 seconds, aggregated monthly by the provider and audited quarterly"
    ),
    "remedy_credit_pct": 10.0,
    "remedy_make_whole": False,
    "remedy_substitution": True,
    "settlement_type": "physical",
    "reference_index": None,
    "index_administrator": None,
    "index_methodology": None,
    "settlement_currency": "EUR",
    "collateral_pct": 50.0,
    "collateral_custodian": "Clearstream Banking S.A.",
    "last_attestation_date": "2026-04-20",
    "attestation_max_age_days": 90,
    "target_market": "professional",
    "jurisdictions": ["EU", "GB", "CH"],
    "requested_venues": ["XEUR", "XLON"],
    "is_tokenized": False,
    "token_network": None,
    "token_standard": None,
    "token_contract": None,
    "terms_version": 3,
}

# A swap cash-settled on a rental index, with sites in two countries.
CASH_TERMS = {
    **PHYSICAL_TERMS,
    "symbol": "GPUIDX-SWP-27",
    "name": "GPU rental index swap 2027",
    "product_type": "cash_settled_swap",
    "settlement_type": "cash",
    "delivery_start": "2027-01-01T00:00:00Z",
    "delivery_end": "2027-12-31T00:00:00Z",
    "delivery_regions": ["US", "SG"],
    "delivery_sites": [],
    "provider_name": None,
    "provider_lei": None,
    "sla_availability_pct": None,
    "sla_performance_floor_pct": None,
    "sla_reference_benchmark": None,
    "sla_measurement_method": None,
    "remedy_credit_pct": None,
    "remedy_make_whole": None,
    "remedy_substitution": None,
    "reference_index": "Attest H100 Rental Index",
    "index_administrator": "Compute Benchmarks Ltd",
    "index_methodology": (
        "volume-weighted median of executed one-month H100 rental prices from at least five "
        "contributing providers, published daily at 16:00 UTC"
    ),
    "settlement_currency": "USD",
    "collateral_pct": 100.0,
    "collateral_custodian": "The Bank of New York Mellon",
    "last_attestation_date": None,
    "attestation_max_age_days": 0,
}

TOKEN_TERMS = {
    **PHYSICAL_TERMS,
    "symbol": "H200-CRD-26",
    "name": "H200 compute credit 2026",
    "product_type": "tokenized_credit",
    "accelerator_model": "H200",
    "accelerator_memory_gb": 141,
    "delivery_regions": ["SG", "HK"],
    "delivery_sites": [
        {"country": "SG", "site_id": "SIN-A"},
        {"country": "SG", "site_id": "SIN-B"},
        {"country": "HK", "site_id": "HKG-TKO"},
    ],
    "is_tokenized": True,
    "token_network": "Ethereum",
    "token_standard": "ERC-3643",
    "token_contract": "0x9f8F72aA9304c8B593d555F12eF6589cC3A579A2",
    "target_market": "retail",
}

ISSUER = {
    "legal_name": "Attest Demo Compute Issuer AG",
    "lei": "529900T8BM49AURSDO55",
    "country": "CH",
    "registration_number": "CHE-123.456.789",
}

PROFESSIONAL_CONSTRAINTS = {
    "allowed_investor_categories": ["professional", "eligible_counterparty"],
    "appropriateness_required": False,
}
RETAIL_CONSTRAINTS = {
    "allowed_investor_categories": ["retail", "professional"],
    "appropriateness_required": True,
    "acknowledgement_required": True,
}
