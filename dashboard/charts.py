"""Small server-side SVG charts: bars, stacked bars and lines, with axes and a text alternative.

The dashboard draws its charts here rather than in the browser so that they need no network,
no JavaScript and no build step, and so that every chart has the same data as a table for
screen readers and for anyone who would rather read the numbers.
"""

import math
from dataclasses import dataclass, field
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies, and each
# colour reaches 3:1 against white (WCAG non-text contrast) except the yellow, which is last.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000", "#F0E442")

WIDTH, HEIGHT = 640, 240
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 52, 12, 12, 52
_ids = count(1)


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float]


@dataclass
class Chart:
    """`kind` is "bar" (series side by side), "stacked" or "line"."""

    title: str
    categories: list[str]
    series: list[Series]
    kind: str = "bar"
    x_label: str = ""
    y_label: str = ""
    description: str = ""
    chart_id: str = field(default_factory=lambda: f"chart-{next(_ids)}")

    @property
    def is_empty(self) -> bool:
        return not self.categories or all(v == 0 for s in self.series for v in s.values)

    def colour(self, index: int) -> str:
        return PALETTE[index % len(PALETTE)]

    def legend(self) -> list[tuple[str, str]]:
        return [(s.label, self.colour(i)) for i, s in enumerate(self.series)]

    def table_rows(self) -> list[tuple[str, list[float], float]]:
        """(category, value per series, total) for the text alternative."""
        return [
            (category, [s.values[i] for s in self.series], sum(s.values[i] for s in self.series))
            for i, category in enumerate(self.categories)
        ]

    def svg(self) -> SafeString:
        return mark_safe(render_svg(self))  # noqa: S308 - every text in the SVG is escaped by render_svg


def nice_ceiling(value: float) -> tuple[float, float]:
    """An axis maximum of 1, 2 or 5 times a power of ten at or above `value`, and its tick step."""
    if value <= 0:
        return 1.0, 0.25
    exponent = math.floor(math.log10(value))
    for factor in (1, 2, 5, 10):
        top = factor * 10**exponent
        if top >= value:
            break
    step = top / (5 if factor in (1, 10) else 4 if factor == 2 else 5)
    return float(top), float(step)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def render_svg(chart: Chart) -> str:
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    n = max(len(chart.categories), 1)
    if chart.kind == "stacked":
        peak = max((sum(s.values[i] for s in chart.series) for i in range(len(chart.categories))), default=0)
    else:
        peak = max((v for s in chart.series for v in s.values), default=0)
    top, step = nice_ceiling(peak)
    if all(float(v).is_integer() for series in chart.series for v in series.values):
        # Counts: whole-number ticks only (no "0.20 applications").
        top, step = max(top, 5.0), max(step, 1.0)

    def y(value: float) -> float:
        return MARGIN_TOP + plot_h - (value / top) * plot_h

    title_id, desc_id = f"{chart.chart_id}-title", f"{chart.chart_id}-desc"
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(chart.description or "The same data is in the table below the chart.")}</desc>',
    ]
    # Horizontal grid lines and y tick labels.
    ticks = int(round(top / step))
    for t in range(ticks + 1):
        value = t * step
        ty = y(value)
        out.append(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'class="grid{" axis" if t == 0 else ""}"/>'
        )
        out.append(
            f'<text x="{MARGIN_LEFT - 6}" y="{ty + 4:.1f}" class="tick" text-anchor="end">{_number(value)}</text>'
        )
    # X tick labels: at most about 12 so they do not overlap; the table has every category.
    band = plot_w / n
    every = max(1, math.ceil(n / 12))
    for i, category in enumerate(chart.categories):
        if i % every and i != n - 1:
            continue
        cx = MARGIN_LEFT + band * (i + 0.5)
        ty = HEIGHT - MARGIN_BOTTOM + 16
        out.append(f'<text x="{cx:.1f}" y="{ty}" class="tick" text-anchor="middle">{escape(category)}</text>')

    if chart.kind == "line":
        for s_index, series in enumerate(chart.series):
            colour = chart.colour(s_index)
            points = [(MARGIN_LEFT + band * (i + 0.5), y(v)) for i, v in enumerate(series.values)]
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
            for (px, py), category, value in zip(points, chart.categories, series.values, strict=True):
                label = escape(f"{series.label}, {category}: {_number(value)}")
                out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"><title>{label}</title></circle>')
    else:
        inner = band * 0.72
        for i, category in enumerate(chart.categories):
            x0 = MARGIN_LEFT + band * i + (band - inner) / 2
            base = 0.0
            for s_index, series in enumerate(chart.series):
                value = series.values[i]
                if value <= 0:
                    continue
                colour = chart.colour(s_index)
                label = escape(f"{series.label}, {category}: {_number(value)}")
                if chart.kind == "stacked":
                    y_top, y_bottom, bx, bw = y(base + value), y(base), x0, inner
                    base += value
                else:
                    bw = inner / max(len(chart.series), 1)
                    y_top, y_bottom, bx = y(value), y(0), x0 + bw * s_index
                out.append(
                    f'<rect x="{bx:.1f}" y="{y_top:.1f}" width="{max(bw - 1, 1):.1f}" '
                    f'height="{max(y_bottom - y_top, 0.5):.1f}" fill="{colour}"><title>{label}</title></rect>'
                )
    # Axis labels.
    if chart.x_label:
        out.append(
            f'<text x="{MARGIN_LEFT + plot_w / 2:.1f}" y="{HEIGHT - 8}" class="axis-label" '
            f'text-anchor="middle">{escape(chart.x_label)}</text>'
        )
    if chart.y_label:
        cy = MARGIN_TOP + plot_h / 2
        out.append(
            f'<text x="14" y="{cy:.1f}" class="axis-label" text-anchor="middle" '
            f'transform="rotate(-90 14 {cy:.1f})">{escape(chart.y_label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
