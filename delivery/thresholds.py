"""When a delivery figure becomes an incident, and how severe. The one place thresholds live.

Each deficit ladder is ((bound, severity), ...) over a deficit that is > 0 only on a breach; the
first bound the deficit stays below gives the severity. Pure Python: sla.py's figures in, breaches out.
"""

from dataclasses import dataclass
from math import inf

from delivery.sla import AttestationCheck, PeriodResult

# Points by which rolling availability is below ComputeProduct.sla_availability_pct.
AVAILABILITY_DEFICIT_PT = ((0.5, "minor"), (2.0, "major"), (inf, "critical"))
# Delivered / scheduled GPU-hours in % (the schedule is what delivers the product's
# contract_size x contracts): below 90 % is critical, below 98 % major; 98 % and above is
# tolerated as metering noise. Checked in order: the first bound the ratio is below wins.
DELIVERY_RATIO_PCT = ((90.0, "critical"), (98.0, "major"))
# Points by which mean benchmark performance is below ComputeProduct.sla_performance_floor_pct.
PERFORMANCE_DEFICIT_PT = ((2.0, "minor"), (5.0, "major"), (inf, "critical"))
# Days the latest capacity attestation is older than ComputeProduct.attestation_max_age_days.
ATTESTATION_OVERDUE_DAYS = ((30.0, "major"), (inf, "critical"))
# % of the outstanding obligation (open positions x ComputeProduct.contract_size, less what was
# delivered) that the attested accelerators cannot deliver in the rest of the delivery window.
CAPACITY_SHORTFALL_PCT = ((10.0, "major"), (inf, "critical"))

# Severities that change the risk picture an investor was given: they prompt a disclosure update.
DISCLOSURE_SEVERITIES = frozenset({"major", "critical"})


@dataclass(frozen=True, slots=True)
class Breach:
    kind: str  # delivery.models.IncidentKind value
    severity: str
    measured: float
    threshold: float
    detail: str


def severity_for(deficit: float, ladder) -> str | None:
    if deficit <= 0:
        return None
    for bound, severity in ladder:
        if deficit < bound:
            return severity
    return ladder[-1][1]


def breaches(
    *,
    rolling: PeriodResult | None,
    attestation: AttestationCheck,
    sla_availability_pct: float,
    sla_performance_floor_pct: float,
    max_age_days: int,
) -> list[Breach]:
    found = []
    if rolling is not None:
        if rolling.availability_pct is not None:
            deficit = round(sla_availability_pct - rolling.availability_pct, 6)
            severity = severity_for(deficit, AVAILABILITY_DEFICIT_PT)
            if severity:
                found.append(
                    Breach(
                        "availability",
                        severity,
                        rolling.availability_pct,
                        sla_availability_pct,
                        f"Rolling availability {rolling.availability_pct:.3f} % is {deficit:.3f} pt below "
                        f"the SLA of {sla_availability_pct:.3f} %.",
                    )
                )
        if rolling.delivery_ratio_pct is not None:
            ratio = rolling.delivery_ratio_pct
            severity = next((sev for bound, sev in DELIVERY_RATIO_PCT if ratio < bound), None)
            if severity:
                found.append(
                    Breach(
                        "delivery_shortfall",
                        severity,
                        rolling.delivery_ratio_pct,
                        100.0,
                        f"Delivered {rolling.delivered_gpu_hours:,.1f} of {rolling.scheduled_gpu_hours:,.1f} "
                        f"scheduled GPU-hours ({rolling.delivery_ratio_pct:.2f} %); shortfall "
                        f"{rolling.shortfall_gpu_hours:,.1f} GPU-hours.",
                    )
                )
        if rolling.performance_pct is not None:
            deficit = round(sla_performance_floor_pct - rolling.performance_pct, 6)
            severity = severity_for(deficit, PERFORMANCE_DEFICIT_PT)
            if severity:
                found.append(
                    Breach(
                        "performance",
                        severity,
                        rolling.performance_pct,
                        sla_performance_floor_pct,
                        f"Mean benchmark result {rolling.performance_pct:.2f} % of the reference is "
                        f"{deficit:.2f} pt below the floor of {sla_performance_floor_pct:.2f} %.",
                    )
                )
    severity = severity_for(attestation.overdue_days, ATTESTATION_OVERDUE_DAYS)
    if severity:
        when = attestation.last_attested_on.isoformat() if attestation.last_attested_on else "never"
        found.append(
            Breach(
                "attestation_overdue",
                severity,
                float(attestation.age_days if attestation.age_days is not None else max_age_days + 1),
                float(max_age_days),
                f"Latest capacity attestation: {when}; the terms allow {max_age_days} days "
                f"(overdue by {attestation.overdue_days} days).",
            )
        )
    severity = severity_for(attestation.capacity_shortfall_pct, CAPACITY_SHORTFALL_PCT)
    if severity:
        found.append(
            Breach(
                "capacity_shortfall",
                severity,
                attestation.attested_gpu_hours or 0.0,
                attestation.outstanding_gpu_hours,
                f"Attested capacity covers {attestation.attested_gpu_hours:,.0f} GPU-hours of the "
                f"{attestation.outstanding_gpu_hours:,.0f} still owed "
                f"({attestation.capacity_shortfall_pct:.1f} % short).",
            )
        )
    return found
