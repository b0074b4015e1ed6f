"""SLA arithmetic over delivery reports. Pure Python, no Django: the same inputs give the same
figures anywhere (tests check them by hand; the benchmark runs them on a million reports).

Definitions (delivery/README.md has worked examples):
- Effective reports: for one period and granularity the highest revision counts; a daily report
  supersedes the hourly reports inside its day (it is the provider's reconciled figure).
- Expected hours of a period: its hours inside the delivery window, up to the end of the latest
  effective report (the horizon). Later hours are not yet due: reports may simply be late.
- Availability: hour-weighted mean of reported availability over the expected hours; an
  unreported hour inside that span counts as 0 % (the provider must evidence delivery).
- Delivery ratio: delivered / scheduled GPU-hours of the reports; performance: hour-weighted
  mean of the benchmark results that were reported.
- Remedy: shortfall = scheduled - delivered (never negative); credit = remedy_credit_pct % of the
  shortfall, in GPU-hours and, with a reference price, in money; make-whole owes the shortfall.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
ROLLING_DAYS = 30
DIGITS = 6  # results are rounded so stored figures and their hash are stable across runs


@dataclass(frozen=True, slots=True)
class Report:
    period_start: datetime  # aware, UTC, aligned to its granularity
    hours: int  # 1 (hourly) or 24 (daily)
    scheduled: float
    delivered: float
    availability_pct: float
    benchmark_pct: float | None = None
    revision: int = 1


@dataclass(frozen=True, slots=True)
class Terms:
    sla_availability_pct: float
    sla_performance_floor_pct: float
    remedy_credit_pct: float
    remedy_make_whole: bool
    delivery_start: datetime
    delivery_end: datetime
    reference_price: float | None = None


@dataclass(frozen=True, slots=True)
class PeriodResult:
    period_start: datetime
    expected_hours: float
    reported_hours: float
    availability_pct: float | None
    scheduled_gpu_hours: float
    delivered_gpu_hours: float
    delivery_ratio_pct: float | None
    performance_pct: float | None
    shortfall_gpu_hours: float
    credit_gpu_hours: float
    credit_value: float | None
    make_whole_gpu_hours: float
    availability_met: bool | None
    performance_met: bool | None


class _Acc:
    """Running sums of one period; combining accumulators is exact addition."""

    __slots__ = ("avail_hours", "reported_hours", "scheduled", "delivered", "perf_hours", "perf_weighted")

    def __init__(self):
        self.avail_hours = 0.0  # sum of availability_pct x hours
        self.reported_hours = 0.0
        self.scheduled = 0.0
        self.delivered = 0.0
        self.perf_hours = 0.0
        self.perf_weighted = 0.0

    def add(self, r: Report) -> None:
        self.avail_hours += r.availability_pct * r.hours
        self.reported_hours += r.hours
        self.scheduled += r.scheduled
        self.delivered += r.delivered
        if r.benchmark_pct is not None:
            self.perf_hours += r.hours
            self.perf_weighted += r.benchmark_pct * r.hours

    def merge(self, other: _Acc) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


def floor_day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def floor_month(moment: datetime) -> datetime:
    return floor_day(moment).replace(day=1)


def next_month(moment: datetime) -> datetime:
    return moment.replace(year=moment.year + moment.month // 12, month=moment.month % 12 + 1)


def effective_reports(reports: Iterable[Report]) -> list[Report]:
    """Deduplicate by (granularity, period) keeping the highest revision (the later one on a tie),
    then drop hourly reports inside a day that has a daily report. Sorted by period."""
    latest: dict[tuple[int, datetime], Report] = {}
    for r in reports:
        key = (r.hours, r.period_start)
        held = latest.get(key)
        if held is None or r.revision >= held.revision:
            latest[key] = r
    daily = {start.date() for hours, start in latest if hours == 24}
    if daily:
        kept = [r for (hours, start), r in latest.items() if hours == 24 or start.date() not in daily]
    else:
        kept = list(latest.values())
    kept.sort(key=lambda r: (r.period_start, r.hours))
    return kept


def horizon(reports: list[Report], terms: Terms) -> datetime | None:
    """End of the latest effective report, capped at the end of the delivery window."""
    if not reports:
        return None
    end = max(r.period_start + r.hours * HOUR for r in reports)
    return min(end, terms.delivery_end)


def _expected_hours(start: datetime, end: datetime, terms: Terms, until: datetime) -> float:
    lo = max(start, terms.delivery_start)
    hi = min(end, terms.delivery_end, until)
    return max(0.0, (hi - lo).total_seconds() / 3600)


def _result(start: datetime, expected: float, acc: _Acc, terms: Terms) -> PeriodResult:
    availability = acc.avail_hours / expected if expected > 0 else None
    ratio = acc.delivered / acc.scheduled * 100 if acc.scheduled > 0 else None
    performance = acc.perf_weighted / acc.perf_hours if acc.perf_hours > 0 else None
    shortfall = max(0.0, acc.scheduled - acc.delivered)
    credit = shortfall * terms.remedy_credit_pct / 100
    return PeriodResult(
        period_start=start,
        expected_hours=_r(expected),
        reported_hours=_r(acc.reported_hours),
        availability_pct=_r(availability),
        scheduled_gpu_hours=_r(acc.scheduled),
        delivered_gpu_hours=_r(acc.delivered),
        delivery_ratio_pct=_r(ratio),
        performance_pct=_r(performance),
        shortfall_gpu_hours=_r(shortfall),
        credit_gpu_hours=_r(credit),
        credit_value=_r(credit * terms.reference_price) if terms.reference_price is not None else None,
        make_whole_gpu_hours=_r(shortfall if terms.remedy_make_whole else 0.0),
        # Compare the rounded figure, as shown, so a displayed 99.5 never reads as a breach of 99.5.
        availability_met=None if availability is None else _r(availability) >= terms.sla_availability_pct,
        performance_met=None if performance is None else _r(performance) >= terms.sla_performance_floor_pct,
    )


def _daily_accumulators(reports: list[Report]) -> dict[date, _Acc]:
    # Keyed by date(): a C call per report, where flooring a datetime costs a replace() each.
    days: dict[date, _Acc] = {}
    for r in reports:
        day = r.period_start.date()
        acc = days.get(day)
        if acc is None:
            acc = days[day] = _Acc()
        acc.add(r)
    return days


def evaluate(reports: Iterable[Report], terms: Terms) -> tuple[list[PeriodResult], list[PeriodResult]]:
    """Per-day and per-month results, each covering every period from the start of delivery
    (or the first report) to the horizon, so gaps show as periods with low availability."""
    days, months, _ = evaluate_with_rolling(reports, terms)
    return days, months


def rolling(reports: Iterable[Report], terms: Terms, days: int = ROLLING_DAYS) -> PeriodResult | None:
    """The figures over the last `days` calendar days (UTC) up to the horizon."""
    return evaluate_with_rolling(reports, terms, rolling_days=days)[2]


def evaluate_with_rolling(
    reports: Iterable[Report], terms: Terms, rolling_days: int = ROLLING_DAYS
) -> tuple[list[PeriodResult], list[PeriodResult], PeriodResult | None]:
    """Days, months and the rolling window in one pass over the effective reports."""
    effective = effective_reports(reports)
    until = horizon(effective, terms)
    if until is None:
        return [], [], None
    by_day = _daily_accumulators(effective)
    first = floor_day(min(terms.delivery_start, effective[0].period_start))
    day_results, months = [], {}
    day = first
    while day < until:
        acc = by_day.get(day.date()) or _Acc()
        expected = _expected_hours(day, day + DAY, terms, until)
        if expected > 0 or acc.reported_hours:
            day_results.append(_result(day, expected, acc, terms))
            months.setdefault(floor_month(day), _Acc()).merge(acc)
        day += DAY
    month_results = [
        _result(month, _expected_hours(month, next_month(month), terms, until), acc, terms)
        for month, acc in sorted(months.items())
    ]
    # The rolling window is whole UTC days, so daily sums add up to it exactly.
    start = floor_day(until - timedelta(microseconds=1)) - (rolling_days - 1) * DAY
    window = _Acc()
    for day_date, acc in by_day.items():
        if start.date() <= day_date:
            window.merge(acc)
    rolling_result = _result(start, _expected_hours(start, until, terms, until), window, terms)
    return day_results, month_results, rolling_result


@dataclass(frozen=True, slots=True)
class AttestationCheck:
    last_attested_on: date | None
    age_days: int | None
    overdue_days: int  # days beyond the allowed age; 0 when in time
    attested_gpu_hours: float | None  # accelerators x hours left in the delivery window
    outstanding_gpu_hours: float  # obligation not yet delivered
    capacity_shortfall_pct: float  # % of the outstanding obligation the attestation does not cover


def attestation_check(
    *,
    as_of: datetime,
    last_attested_on: date | None,
    max_age_days: int,
    accelerator_count: int | None,
    delivery_start: datetime,
    delivery_end: datetime,
    obligation_gpu_hours: float,
    delivered_gpu_hours: float,
) -> AttestationCheck:
    """Is the capacity attestation recent enough, and does it cover what is still owed?

    A product never attested is overdue by its whole allowed age plus one day, so it reads as
    overdue from the first evaluation rather than as in time."""
    if last_attested_on is None:
        age, overdue = None, max_age_days + 1
    else:
        age = (as_of.astimezone(UTC).date() - last_attested_on).days
        overdue = max(0, age - max_age_days)
    outstanding = max(0.0, obligation_gpu_hours - delivered_gpu_hours)
    attested = None
    shortfall_pct = 0.0
    if accelerator_count is not None:
        left = max(timedelta(0), delivery_end - max(as_of, delivery_start))
        attested = accelerator_count * left.total_seconds() / 3600
        if outstanding > 0 and attested < outstanding:
            shortfall_pct = (outstanding - attested) / outstanding * 100
    return AttestationCheck(
        last_attested_on=last_attested_on,
        age_days=age,
        overdue_days=overdue,
        attested_gpu_hours=_r(attested),
        outstanding_gpu_hours=_r(outstanding),
        capacity_shortfall_pct=_r(shortfall_pct),
    )
