"""The SVG charts' scales: room for the legend, end labels inside the picture."""

import re
from datetime import datetime, timedelta

from delivery import charts

DAYS = [datetime(2027, 4, 1) + timedelta(days=n) for n in range(61)]


def test_the_gpu_hour_scale_rounds_up_to_two_significant_digits():
    assert [charts._nice_ceiling(v) for v in (5_880, 7_049, 7_000, 0.5)] == [5_900, 7_100, 7_000, 0.5]


def test_the_delivery_lines_stay_below_the_legend():
    svg = str(charts.delivery_chart(DAYS, [5_600.0] * 61, [5_590.0] * 61))
    legend_baseline = charts.PAD_TOP + 12
    heights = [float(y) for y in re.findall(r"[\d.]+,([\d.]+)", svg)]
    assert min(heights) > legend_baseline + 10


def test_the_last_date_label_ends_at_the_plot_edge():
    svg = str(charts.availability_chart(DAYS, [99.9] * 61, 99.5))
    assert 'text-anchor="end" fill="#5b6776">2027-05-31</text>' in svg
    assert 'text-anchor="start" fill="#5b6776">2027-04-01</text>' in svg
