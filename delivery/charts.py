"""Server-rendered SVG charts: no JavaScript, no network, readable without colour (the SLA line
is dashed and labelled; every chart has a <title> and a text summary)."""

import math
from collections.abc import Sequence
from datetime import datetime
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 200
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 48, 12, 14, 26


def _x(index: int, count: int) -> float:
    span = WIDTH - PAD_LEFT - PAD_RIGHT
    return PAD_LEFT + (span * index / max(1, count - 1))


def _y(value: float, low: float, high: float) -> float:
    span = HEIGHT - PAD_TOP - PAD_BOTTOM
    fraction = 0.0 if high == low else (value - low) / (high - low)
    return PAD_TOP + span * (1 - min(1.0, max(0.0, fraction)))


def _frame(title: str, low: float, high: float, unit: str, dates: Sequence[datetime]) -> list[str]:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="delivery-chart" preserveAspectRatio="none"><title>{escape(title)}</title>',
        f'<rect x="{PAD_LEFT}" y="{PAD_TOP}" width="{WIDTH - PAD_LEFT - PAD_RIGHT}" '
        f'height="{HEIGHT - PAD_TOP - PAD_BOTTOM}" fill="#fafbfc" stroke="#d6dbe1"/>',
    ]
    for value in (low, (low + high) / 2, high):
        y = _y(value, low, high)
        parts.append(
            f'<text x="{PAD_LEFT - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="#5b6776">'
            f"{value:g}{escape(unit)}</text>"
        )
    if dates:
        last = len(dates) - 1
        for index in sorted({0, len(dates) // 2, last}):
            # The end labels hang inwards from the plot's edges, or the last one is cut off.
            anchor = "start" if index == 0 else "end" if index == last else "middle"
            parts.append(
                f'<text x="{_x(index, len(dates)):.1f}" y="{HEIGHT - 8}" font-size="10" text-anchor="{anchor}" '
                f'fill="#5b6776">{dates[index]:%Y-%m-%d}</text>'
            )
    return parts


def _polyline(values: Sequence[float | None], low: float, high: float, colour: str, width: float = 1.6) -> str:
    """One polyline per run of known values, so a day without data shows as a break."""
    runs, current = [], []
    for index, value in enumerate(values):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(f"{_x(index, len(values)):.1f},{_y(value, low, high):.1f}")
    if current:
        runs.append(current)
    return "".join(
        f'<polyline fill="none" stroke="{colour}" stroke-width="{width}" points="{" ".join(run)}"/>' for run in runs
    )


def _nice_ceiling(value: float) -> float:
    """``value`` rounded up to two significant digits (5,880 -> 5,900; 7,049 -> 7,100)."""
    step = 10 ** (math.floor(math.log10(value)) - 1)
    return math.ceil(value / step) * step


def availability_chart(dates: Sequence[datetime], values: Sequence[float | None], sla_pct: float) -> SafeString:
    """Daily availability (%) with the SLA as a dashed line. The scale starts a little below the
    lowest value so that a 0.3-point dip is visible next to a 99.5 % SLA."""
    known = [v for v in values if v is not None]
    low = min([*known, sla_pct]) if known else sla_pct - 1
    low = max(0.0, float(int(low - 0.5)))
    high = 100.0
    parts = _frame(f"Daily availability against the {sla_pct:g} % SLA", low, high, "%", dates)
    y = _y(sla_pct, low, high)
    parts.append(
        f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#b3261e" '
        f'stroke-dasharray="5 4" stroke-width="1.2"/>'
        f'<text x="{WIDTH - PAD_RIGHT - 2}" y="{y - 3:.1f}" font-size="10" text-anchor="end" fill="#b3261e">'
        f"SLA {sla_pct:g} %</text>"
    )
    parts.append(_polyline(values, low, high, "#1d4f99"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from numbers and escaped text only


def delivery_chart(dates: Sequence[datetime], scheduled: Sequence[float], delivered: Sequence[float]) -> SafeString:
    """Daily scheduled (grey) and delivered (blue) GPU-hours."""
    # A quarter of headroom keeps the lines clear of the legend at the top of the plot.
    high = _nice_ceiling(max([*scheduled, *delivered, 1.0]) * 1.25)
    parts = _frame("Scheduled and delivered GPU-hours per day", 0.0, high, "", dates)
    parts.append(_polyline(scheduled, 0.0, high, "#8a94a3", 2.4))
    parts.append(_polyline(delivered, 0.0, high, "#1d4f99", 1.4))
    parts.append(
        f'<text x="{PAD_LEFT + 6}" y="{PAD_TOP + 12}" font-size="10" fill="#5b6776">grey: scheduled · '
        f'<tspan fill="#1d4f99">blue: delivered</tspan></text></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 - built from numbers and escaped text only
