"""The baseline that rule examples are merged over.

Examples in a pack list only the attributes that matter to their rule; everything else comes
from here. The baseline is a deliberately unremarkable product: a professional-only,
physically delivered, fully collateralized H100 forward with a fresh capacity attestation, a
named provider with an LEI and a service-credit remedy. Most rules do not fire on it, so an
example reads as "the baseline, except ...".

Changing a value here can flip the expected result of examples in every pack; the example
tests (tests/rules/test_rules_pack_examples.py) will say which.
"""

from __future__ import annotations

from types import MappingProxyType

BASELINE_PRODUCT = MappingProxyType(
    {
        "symbol": "H100-FWD-26Q3",
        "name": "H100 GPU-hour forward, Q3 2026",
        "product_type": "physical_forward",
        "accelerator_vendor": "NVIDIA",
        "accelerator_model": "H100 SXM",
        "accelerator_memory_gb": 80,
        "quantity_unit": "gpu_hour",
        "contract_size": 1000.0,
        "lot_size": 1,
        "minimum_order": 1,
        "position_limit": 500,
        "delivery_start": "2026-07-01T00:00:00Z",
        "delivery_end": "2026-09-30T23:59:59Z",
        "delivery_regions": ("US", "DE"),
        "delivery_sites": (
            MappingProxyType({"country": "US", "site_id": "IAD-1"}),
            MappingProxyType({"country": "DE", "site_id": "FRA-2"}),
        ),
        "provider_name": "Example Compute Ltd",
        "provider_lei": "5493000IBP32UQZ0KL24",
        "sla_availability_pct": 99.5,
        "sla_performance_floor_pct": 95.0,
        "sla_reference_benchmark": "MLPerf Training v4.0 GPT-3 175B",
        "sla_measurement_method": "provider telemetry, independently audited monthly",
        "remedy_credit_pct": 10.0,
        "remedy_make_whole": True,
        "remedy_substitution": False,
        "settlement_type": "physical",
        "reference_index": "",
        "index_administrator": "",
        "index_methodology": "",
        "settlement_currency": "USD",
        "collateral_pct": 100.0,
        "collateral_custodian": "Example Custody Bank N.A.",
        "last_attestation_date": "2026-02-15",
        "attestation_max_age_days": 90,
        "target_market": "professional",
        "jurisdictions": ("US", "EU", "GB", "SG", "CH", "HK"),
        "requested_venues": (),
        "is_tokenized": False,
        "token_network": "",
        "token_standard": "",
        "token_contract": "",
        "terms_version": 1,
    }
)

BASELINE_ISSUER = MappingProxyType(
    {
        "legal_name": "Example Compute Markets Ltd",
        "lei": "529900T8BM49AURSDO55",
        "country": "GB",
        "registration_number": "12345678",
    }
)

# application.jurisdiction is set to the pack's jurisdiction when an example is checked.
BASELINE_APPLICATION = MappingProxyType(
    {
        "version": 1,
        "jurisdiction": "",
        "submitted_on": "2026-03-01",
        "venue_types": (),
    }
)
