"""Incident severities at and around each documented threshold (delivery.thresholds)."""

from datetime import UTC, datetime

import pytest

from delivery import sla, thresholds
from delivery.sla import AttestationCheck

T0 = datetime(2026, 1, 1, tzinfo=UTC)
IN_TIME = AttestationCheck(None, 10, 0, None, 0.0, 0.0)


def rolling(availability=None, ratio=None, performance=None):
    return sla.PeriodResult(
        T0, 720, 720, availability, 1000, (ratio or 0) * 10, ratio, performance, 0, 0, None, 0, None, None
    )


def kinds(rolling_result=None, attestation=IN_TIME):
    found = thresholds.breaches(
        rolling=rolling_result,
        attestation=attestation,
        sla_availability_pct=99.5,
        sla_performance_floor_pct=95.0,
        max_age_days=90,
    )
    return {b.kind: b.severity for b in found}


@pytest.mark.parametrize(
    "availability, severity",
    [
        (99.5, None),
        (99.6, None),
        (99.2, "minor"),
        (99.01, "minor"),
        (99.0, "major"),
        (97.51, "major"),
        (97.5, "critical"),
    ],
)
def test_availability_points_below_the_sla(availability, severity):
    assert kinds(rolling(availability=availability)).get("availability") == severity


@pytest.mark.parametrize(
    "ratio, severity", [(100, None), (98.0, None), (98.5, None), (97.99, "major"), (90.0, "major"), (89.99, "critical")]
)
def test_delivered_against_scheduled(ratio, severity):
    assert kinds(rolling(ratio=ratio)).get("delivery_shortfall") == severity


@pytest.mark.parametrize("performance, severity", [(95, None), (93.5, "minor"), (93.0, "major"), (90.0, "critical")])
def test_performance_below_the_floor(performance, severity):
    assert kinds(rolling(performance=performance)).get("performance") == severity


@pytest.mark.parametrize("overdue, severity", [(0, None), (1, "major"), (29, "major"), (30, "critical")])
def test_attestation_overdue(overdue, severity):
    check = AttestationCheck(None, 90 + overdue, overdue, None, 0.0, 0.0)
    assert kinds(attestation=check).get("attestation_overdue") == severity


@pytest.mark.parametrize("short, severity", [(0, None), (5, "major"), (10, "critical")])
def test_attested_capacity_short_of_the_obligation(short, severity):
    check = AttestationCheck(None, 10, 0, 1000.0, 1200.0, float(short))
    assert kinds(attestation=check).get("capacity_shortfall") == severity


def test_major_and_critical_prompt_a_disclosure_update():
    assert thresholds.DISCLOSURE_SEVERITIES == {"major", "critical"}


def test_thresholds_module_is_django_free():
    import subprocess
    import sys

    code = "import sys, delivery.sla, delivery.thresholds; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
