"""SLA arithmetic on cases small enough to check by hand (delivery.sla is Django-free)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from delivery import sla
from delivery.sla import Report, Terms

T0 = datetime(2026, 1, 1, tzinfo=UTC)
H = timedelta(hours=1)


def terms(**overrides):
    values = dict(
        sla_availability_pct=99.5,
        sla_performance_floor_pct=95.0,
        remedy_credit_pct=10.0,
        remedy_make_whole=True,
        delivery_start=T0,
        delivery_end=T0 + timedelta(days=90),
        reference_price=2.0,
    )
    values.update(overrides)
    return Terms(**values)


def rep(hour, scheduled=100.0, delivered=100.0, availability=100.0, benchmark=None, revision=1, hours=1):
    return Report(T0 + hour * H, hours, scheduled, delivered, availability, benchmark, revision)


def test_two_hours_give_the_hand_computed_day():
    # availability (99 + 97) / 2 = 98; delivered 190 of 200 = 95 %; shortfall 10 GPU-h;
    # credit 10 % of 10 = 1 GPU-h, at 2.00 = 2.00; make-whole owes the 10.
    days, months = sla.evaluate([rep(0, availability=99, benchmark=96), rep(1, delivered=90, availability=97)], terms())
    (day,) = days
    assert day.expected_hours == 2 and day.reported_hours == 2
    assert day.availability_pct == 98.0
    assert (day.scheduled_gpu_hours, day.delivered_gpu_hours, day.delivery_ratio_pct) == (200, 190, 95.0)
    assert day.performance_pct == 96.0  # only the hour that reported a benchmark counts
    assert (day.shortfall_gpu_hours, day.credit_gpu_hours, day.credit_value, day.make_whole_gpu_hours) == (10, 1, 2, 10)
    assert day.availability_met is False and day.performance_met is True
    assert months[0].availability_pct == 98.0


def test_an_unreported_hour_inside_the_span_counts_as_unavailable():
    # Hours 0 and 2 reported at 100 %, hour 1 missing: (100 + 0 + 100) / 3.
    (day,), _ = sla.evaluate([rep(0), rep(2)], terms())
    assert day.expected_hours == 3 and day.reported_hours == 2
    assert day.availability_pct == pytest.approx(66.666667)


def test_hours_after_the_latest_report_are_not_yet_due():
    (day,), _ = sla.evaluate([rep(0), rep(1)], terms())
    assert day.expected_hours == 2  # not 24: the rest of the day has not been reported yet


def test_unreported_hours_from_the_start_of_delivery_count():
    # Delivery started at T0 but the first report is for hour 3: hours 0-2 are a gap.
    (day,), _ = sla.evaluate([rep(3)], terms())
    assert day.expected_hours == 4 and day.availability_pct == 25.0


def test_the_highest_revision_of_a_period_counts():
    reports = [rep(0, delivered=50, availability=50, revision=1), rep(0, delivered=100, availability=100, revision=2)]
    (day,), _ = sla.evaluate(reports, terms())
    assert day.delivered_gpu_hours == 100 and day.availability_pct == 100


def test_a_duplicate_report_counts_once():
    (day,), _ = sla.evaluate([rep(0), rep(0), rep(1)], terms())
    assert day.scheduled_gpu_hours == 200 and day.reported_hours == 2


def test_order_of_arrival_does_not_matter():
    reports = [rep(h, availability=99 + (h % 3) / 10, delivered=95 + h % 5) for h in range(72)]
    late_first = list(reversed(reports[40:])) + reports[:40]
    assert sla.evaluate(reports, terms()) == sla.evaluate(late_first, terms())
    assert sla.rolling(reports, terms()) == sla.rolling(late_first, terms())


def test_a_daily_report_supersedes_the_hourly_reports_of_its_day():
    hourly = [rep(h, availability=90) for h in range(24)]
    daily = rep(0, scheduled=2400, delivered=2376, availability=99, hours=24)
    (day,), _ = sla.evaluate([*hourly, daily], terms())
    assert day.reported_hours == 24 and day.availability_pct == 99.0 and day.delivered_gpu_hours == 2376


def test_months_sum_their_days():
    start = datetime(2026, 1, 31, tzinfo=UTC)
    t = terms(delivery_start=start)
    # 24 h on 31 January at 100 %, 24 h on 1 February at 98 %.
    reports = [Report(start + h * H, 1, 10, 10 if h < 24 else 9, 100 if h < 24 else 98) for h in range(48)]
    days, months = sla.evaluate(reports, t)
    assert [d.period_start.day for d in days] == [31, 1]
    assert [m.period_start.month for m in months] == [1, 2]
    assert months[1].availability_pct == 98 and months[1].shortfall_gpu_hours == 24
    assert months[1].credit_gpu_hours == pytest.approx(2.4) and months[1].credit_value == pytest.approx(4.8)


def test_rolling_covers_the_last_thirty_calendar_days():
    # 40 days: the first 10 at 90 %, the last 30 at 100 %: the rolling window sees only 100 %.
    reports = [rep(h, availability=90 if h < 240 else 100) for h in range(40 * 24)]
    result = sla.rolling(reports, terms())
    assert result.period_start == T0 + timedelta(days=10)
    assert result.expected_hours == 720 and result.availability_pct == 100


def test_no_reports_no_figures():
    assert sla.evaluate([], terms()) == ([], [])
    assert sla.rolling([], terms()) is None


def test_no_make_whole_and_no_price():
    (day,), _ = sla.evaluate([rep(0, delivered=80)], terms(remedy_make_whole=False, reference_price=None))
    assert day.make_whole_gpu_hours == 0 and day.credit_gpu_hours == 2 and day.credit_value is None


def test_attestation_age_and_overdue_days():
    check = sla.attestation_check(
        as_of=datetime(2026, 4, 10, tzinfo=UTC),
        last_attested_on=date(2026, 1, 1),
        max_age_days=90,
        accelerator_count=None,
        delivery_start=T0,
        delivery_end=T0 + timedelta(days=90),
        obligation_gpu_hours=0,
        delivered_gpu_hours=0,
    )
    assert check.age_days == 99 and check.overdue_days == 9


def test_attested_capacity_against_the_outstanding_obligation():
    # 10 accelerators x 100 hours left = 1000 GPU-h attested; 1500 owed - 300 delivered = 1200
    # outstanding: 200 / 1200 = 16.67 % short.
    end = datetime(2026, 3, 1, tzinfo=UTC)
    check = sla.attestation_check(
        as_of=end - 100 * H,
        last_attested_on=date(2026, 2, 1),
        max_age_days=90,
        accelerator_count=10,
        delivery_start=T0,
        delivery_end=end,
        obligation_gpu_hours=1500,
        delivered_gpu_hours=300,
    )
    assert check.attested_gpu_hours == 1000 and check.outstanding_gpu_hours == 1200
    assert check.capacity_shortfall_pct == pytest.approx(16.666667)


def test_never_attested_is_overdue():
    check = sla.attestation_check(
        as_of=T0,
        last_attested_on=None,
        max_age_days=30,
        accelerator_count=None,
        delivery_start=T0,
        delivery_end=T0 + H,
        obligation_gpu_hours=0,
        delivered_gpu_hours=0,
    )
    assert check.overdue_days == 31 and check.age_days is None
