from dashboard.charts import Chart, Series, nice_ceiling, render_svg


def test_nice_ceiling_rounds_up_to_one_two_or_five():
    assert nice_ceiling(7)[0] == 10
    assert nice_ceiling(13)[0] == 20
    assert nice_ceiling(41)[0] == 50
    assert nice_ceiling(0) == (1.0, 0.25)


def test_stacked_bars_have_a_title_axis_labels_and_one_rect_per_nonzero_value():
    chart = Chart(
        title="Applications <by> state",
        categories=["05-01", "05-02"],
        series=[Series("Draft", [1, 0]), Series("Listed", [2, 3])],
        kind="stacked",
        x_label="Day",
        y_label="Applications",
    )
    svg = render_svg(chart)
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "Applications &lt;by&gt; state" in svg  # text is escaped
    assert svg.count("<rect") == 3
    assert ">Day<" in svg and ">Applications<" in svg


def test_line_chart_draws_one_polyline_per_series():
    chart = Chart(
        title="t", categories=["a", "b", "c"], series=[Series("x", [1, 2, 3]), Series("y", [3, 2, 1])], kind="line"
    )
    assert render_svg(chart).count("<polyline") == 2


def test_table_rows_give_the_text_alternative_with_totals():
    chart = Chart(title="t", categories=["a"], series=[Series("x", [1]), Series("y", [2])], kind="stacked")
    assert chart.table_rows() == [("a", [1, 2], 3)]
    assert not chart.is_empty
