"""Shared steps of the browser tests."""

import re

STEP_VALUES = {
    "instrument": {
        "Symbol": "H100-E2E",
        "Name": "H100 SXM forward, Q3 2027",
        "Accelerator vendor": "NVIDIA",
        "Accelerator model": "H100 SXM",
        "Accelerator memory (GB)": "80",
    },
    "delivery": {
        "Contract size (GPU-hours)": "100",
        "Lot size (contracts)": "10",
        "Minimum order (contracts)": "10",
        "Position limit per investor (contracts)": "5000",
        "Delivery start": "2027-07-01T00:00",
        "Delivery end": "2027-10-01T00:00",
        "Delivery regions": "US",
        "Delivery sites": "US iad-2",
        "Delivery provider": "Northstar Datacenters Inc.",
        "Delivery provider LEI": "5493000PROVIDER00141",
    },
    "sla": {
        "SLA availability %": "99.5",
        "Performance floor (% of benchmark)": "95",
        "SLA reference benchmark": "MLPerf Training v4.0",
        "SLA measurement method": "Provider telemetry every 60 s, reconciled monthly.",
        "Shortfall credit %": "10",
    },
    "settlement": {
        "Settlement currency": "USD",
        "Collateral (% of delivery obligation)": "25",
        "Collateral custodian": "State Street Bank and Trust Company",
        "Last capacity attestation": "2026-10-01",
        "Attestation max age days": "90",
    },
    "distribution": {"Jurisdictions": "US", "Requested venues": "XCME"},
}


def field(page, label: str):
    """The input labelled exactly `label` (a required field's label also carries a hidden "*")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def fill(page, values: dict) -> None:
    for label, value in values.items():
        field(page, label).fill(value)


def save_step(page) -> None:
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
