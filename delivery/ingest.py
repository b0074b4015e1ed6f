"""Parsing and validation of delivery reports, shared by the provider API, the CSV upload, the
demo seed and the benchmark, so every path refuses the same things with the same messages.
No database access here: product-dependent checks take the product's window as arguments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

GRANULARITY_HOURS = {"hour": 1, "day": 24}
PERIOD_ALIGNMENT = {
    "hour": "An hourly period starts on the hour (UTC), e.g. 2026-07-01T13:00:00Z.",
    "day": "A daily period starts at midnight UTC, e.g. 2026-07-01T00:00:00Z.",
}
FIELDS = (
    "product",
    "granularity",
    "period_start",
    "scheduled_gpu_hours",
    "delivered_gpu_hours",
    "availability_pct",
    "benchmark_pct",
)
REQUIRED = FIELDS[:-1]
MAX_GPU_HOURS = Decimal("10000000000")  # below the column's 14 digits with 3 decimals
GPU_HOURS_PLACES = Decimal("0.001")
PCT_PLACES = Decimal("0.001")
BENCH_PLACES = Decimal("0.01")
MAX_BENCHMARK_PCT = Decimal("1000")  # a result may beat the reference; ten times it is a unit error
CLOCK_SKEW = timedelta(minutes=5)  # a period may end this far after our clock: providers' clocks drift
# Years a period may start in. Far beyond any product's window, and near enough to datetime's
# limits that converting to UTC and adding a period can never overflow.
MIN_YEAR, MAX_YEAR = 2000, 2100
# Quantizing a larger number would exceed the decimal context's precision; every bound below is
# far smaller, so such a number is refused by the range check without being rounded.
_ROUNDABLE = Decimal("1e20")


@dataclass(slots=True)
class ParsedReport:
    product: str
    granularity: str
    period_start: datetime
    scheduled: Decimal
    delivered: Decimal
    availability: Decimal
    benchmark: Decimal | None

    @property
    def period_end(self) -> datetime:
        return self.period_start + timedelta(hours=GRANULARITY_HOURS[self.granularity])

    @property
    def key(self) -> tuple[str, str, datetime]:
        return (self.product, self.granularity, self.period_start)

    def values(self) -> tuple:
        return (self.scheduled, self.delivered, self.availability, self.benchmark)


def _decimal(value, places: Decimal) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError
    if isinstance(value, float):
        value = repr(value)  # the shortest repr round-trips: 99.9 stays 99.9, not 99.900000000000005
    if isinstance(value, str):
        value = value.strip()
    try:
        number = Decimal(value) if isinstance(value, str | int) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValueError
    if number.copy_abs() >= _ROUNDABLE:  # copy_abs: abs() would round in the context, and could overflow
        return number
    return number.quantize(places, rounding=ROUND_HALF_UP)


def _timestamp(value) -> datetime:
    if not isinstance(value, str):
        raise ValueError("Give an ISO-8601 date-time string.")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("Not an ISO-8601 date-time.")
    if moment.tzinfo is None:
        raise ValueError("Give the time zone (e.g. 2027-07-01T00:00:00Z).")
    # Checked before and after the conversion: before, so that it cannot overflow; after, so
    # that the bound is the same whatever the zone (2000-01-01T00:00+01:00 is still 1999 in UTC).
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ValueError(f"Give a date between the years {MIN_YEAR} and {MAX_YEAR}.")
    moment = moment.astimezone(UTC)
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ValueError(f"Give a date between the years {MIN_YEAR} and {MAX_YEAR}.")
    return moment


def parse_report(raw: Mapping, *, product: str | None = None) -> tuple[ParsedReport | None, dict[str, list[str]]]:
    """Validate one report's own fields. `product` fills in the symbol when the input has none
    (a CSV uploaded on a product's page). Returns (report, {}) or (None, field errors)."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if not isinstance(raw, Mapping):
        return None, {"non_field_errors": ["Each report must be an object."]}
    for field in raw:
        if field not in FIELDS:
            add(str(field)[:60], "Unknown field.")
    data = dict(raw)
    if product is not None:
        given = data.get("product")
        if given not in (None, "") and given != product:
            add("product", f"This upload is for {product}.")
        data["product"] = product
    for field in REQUIRED:
        if data.get(field) in (None, ""):
            add(field, "This field is required.")
    if errors:
        return None, errors

    symbol = data["product"]
    if not isinstance(symbol, str) or not 2 <= len(symbol) <= 32 or "\x00" in symbol:
        add("product", "Give the product's symbol.")
    granularity = data["granularity"]
    if not isinstance(granularity, str) or granularity not in GRANULARITY_HOURS:  # a list is unhashable
        add("granularity", 'Use "hour" or "day".')
        granularity = None
    try:
        start = _timestamp(data["period_start"])
    except ValueError as exc:
        add("period_start", str(exc))
        start = None
    if start is not None and granularity is not None:
        if start.minute or start.second or start.microsecond or (granularity == "day" and start.hour):
            add("period_start", PERIOD_ALIGNMENT[granularity])
    values = {}
    for field, places, low, high in (
        ("scheduled_gpu_hours", GPU_HOURS_PLACES, Decimal(0), MAX_GPU_HOURS),
        ("delivered_gpu_hours", GPU_HOURS_PLACES, Decimal(0), MAX_GPU_HOURS),
        ("availability_pct", PCT_PLACES, Decimal(0), Decimal(100)),
        ("benchmark_pct", BENCH_PLACES, Decimal(0), MAX_BENCHMARK_PCT),
    ):
        value = data.get(field)
        if field == "benchmark_pct" and value in (None, ""):
            values[field] = None
            continue
        try:
            number = _decimal(value, places)
        except ValueError:
            add(field, "Give a number.")
            continue
        if not low <= number <= high:
            add(field, f"Must be between {low} and {high}.")
            continue
        values[field] = number
    scheduled, delivered = values.get("scheduled_gpu_hours"), values.get("delivered_gpu_hours")
    if scheduled is not None and delivered is not None and delivered > scheduled:
        add("delivered_gpu_hours", "Cannot exceed the scheduled GPU-hours; report extra delivery as scheduled.")
    if errors:
        return None, errors
    return (
        ParsedReport(
            product=symbol,
            granularity=granularity,
            period_start=start,
            scheduled=scheduled,
            delivered=delivered,
            availability=values["availability_pct"],
            benchmark=values["benchmark_pct"],
        ),
        {},
    )


def window_errors(
    report: ParsedReport, *, delivery_start: datetime, delivery_end: datetime, now: datetime
) -> dict[str, list[str]]:
    """Checks that need the product: the period lies in its delivery window and has ended."""
    if report.period_end <= delivery_start or report.period_start >= delivery_end:
        return {
            "period_start": [
                f"Outside the delivery window {delivery_start:%Y-%m-%d %H:%M} – {delivery_end:%Y-%m-%d %H:%M} UTC."
            ]
        }
    if report.period_end > now + CLOCK_SKEW:
        return {"period_start": ["This period has not ended yet."]}
    return {}
