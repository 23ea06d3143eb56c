"""Bar charts of the oversight figures, laid out here as rectangles and text and drawn as
inline SVG by `templates/oversight/dashboard_chart.html`, for the page and the PDF alike.

No JavaScript and no `style` attributes (the Content-Security-Policy allows neither): only
SVG presentation attributes. Each chart has a title and a description for screen readers,
and its table of figures beside it. A withheld figure is drawn as an empty, dashed bar as long
as the largest value it could be (one below the threshold), labelled "fewer than 5": its
length says no more than its words do.
"""

import textwrap
from dataclasses import dataclass

from oversight.statistics import Breakdown, Dashboard, Shown

WIDTH = 640
FONT_SIZE = 14
# GOV.UK blue and dark grey: each contrasts at least 3:1 with white and with the other.
SERIES_FILLS = ("#1d70b8", "#505a5f", "#00703c", "#912b88")
LEGEND_HEIGHT = 28

# Horizontal bars: labels on the left, wrapped; the figure just past the end of each bar.
LABEL_WIDTH = 200
LABEL_CHARACTERS = 26
LINE_HEIGHT = 17
BAR_HEIGHT = 18
BAR_GAP = 4
ROW_GAP = 12
VALUE_ROOM = 100

# Columns (a series over months): the figure above each column, turned to read upwards.
PLOT_HEIGHT = 150
HEADROOM = 84
AXIS_ROOM = 40


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    withheld: bool = False


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"
    bold: bool = False
    upright: bool = False

    @property
    def transform(self) -> str:
        """Turned a quarter to read upwards, about its own starting point."""
        return f"rotate(-90 {self.x:g} {self.y:g})" if self.upright else ""


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    height: float
    rects: list[Rect]
    texts: list[Text]
    width: int = WIDTH

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height:g}"


def _length(cell: Shown, withheld_length: int) -> float:
    return withheld_length if cell.withheld else float(cell.value or 0)


def _scale_top(breakdown: Breakdown, series: int, threshold: int) -> float:
    """The value the longest bar stands for: the largest figure, but never less than twice
    the threshold, so that a few small figures don't fill the chart."""
    values = [_length(cell, threshold - 1) for row in breakdown.rows for cell in row.cells[:series]]
    return max([*values, 2 * threshold])


def _legend(series: tuple[str, ...]) -> tuple[list[Rect], list[Text]]:
    rects, texts, x = [], [], 0.0
    for index, name in enumerate(series):
        rects.append(Rect(x, 4, 16, 16, SERIES_FILLS[index]))
        texts.append(Text(x + 22, 17, name))
        # Roughly 7.5 units a character at this size, then a gap.
        x += 22 + 7.5 * len(name) + 24
    return rects, texts


def bar_chart(breakdown: Breakdown, *, threshold: int) -> Chart:
    series = breakdown.columns[: breakdown.charted]
    scale = (WIDTH - LABEL_WIDTH - VALUE_ROOM) / _scale_top(breakdown, len(series), threshold)
    rects, texts = _legend(series) if len(series) > 1 else ([], [])
    y = LEGEND_HEIGHT if len(series) > 1 else 0.0
    for row in breakdown.rows:
        lines = textwrap.wrap(row.label, LABEL_CHARACTERS, max_lines=3, placeholder="…")
        for number, line in enumerate(lines):
            texts.append(Text(0, y + 13 + number * LINE_HEIGHT, line, bold=True))
        bar_y = y
        for index, cell in enumerate(row.cells[: len(series)]):
            width = _length(cell, threshold - 1) * scale
            rects.append(
                Rect(LABEL_WIDTH, bar_y, width, BAR_HEIGHT, SERIES_FILLS[index], cell.withheld)
            )
            texts.append(Text(LABEL_WIDTH + width + 6, bar_y + BAR_HEIGHT - 4, cell.text))
            bar_y += BAR_HEIGHT + BAR_GAP
        y += max(bar_y - y - BAR_GAP, len(lines) * LINE_HEIGHT) + ROW_GAP
    return Chart(
        id=f"chart-{breakdown.key}",
        title=breakdown.title,
        description=_description(series),
        height=y,
        rects=rects,
        texts=texts,
    )


def column_chart(breakdown: Breakdown, *, threshold: int) -> Chart:
    """Columns for a series over time (months), one group per row, left to right."""
    series = breakdown.columns[: breakdown.charted]
    scale = PLOT_HEIGHT / _scale_top(breakdown, len(series), threshold)
    rects, texts = _legend(series) if len(series) > 1 else ([], [])
    top = (LEGEND_HEIGHT if len(series) > 1 else 0) + HEADROOM
    baseline = top + PLOT_HEIGHT
    group = WIDTH / max(len(breakdown.rows), 1)
    column = min(group * 0.8 / len(series), 40)
    for number, row in enumerate(breakdown.rows):
        left = number * group + (group - column * len(series)) / 2
        for index, cell in enumerate(row.cells[: len(series)]):
            height = _length(cell, threshold - 1) * scale
            x = left + index * column
            rects.append(
                Rect(x, baseline - height, column - 2, height, SERIES_FILLS[index], cell.withheld)
            )
            centre = x + (column - 2) / 2 + 4
            texts.append(Text(centre, baseline - height - 4, cell.text, upright=True))
        # "Sep 2026" as "Sep" over "2026".
        centre = number * group + group / 2
        words = row.label.split(" ", 1)
        texts.append(Text(centre, baseline + 18, words[0], anchor="middle", bold=True))
        if len(words) > 1:
            texts.append(Text(centre, baseline + 34, words[1], anchor="middle"))
    rects.append(Rect(0, baseline, WIDTH, 1, "#0b0c0c"))
    return Chart(
        id=f"chart-{breakdown.key}",
        title=breakdown.title,
        description=_description(series),
        height=baseline + AXIS_ROOM,
        rects=rects,
        texts=texts,
    )


def _description(series: tuple[str, ...]) -> str:
    compared = f" of {' and '.join(name.lower() for name in series)}" if len(series) > 1 else ""
    return f"Bar chart{compared}. The figures are in the table that goes with it."


# --- The same charts as HTML boxes, for the report PDF ---------------------------------------
# WeasyPrint lays out boxes far faster than it draws SVG text, and the report is a document,
# not a page: its bars are horizontal boxes as long as their figures (months too, one bar a
# month), with the figure after each; the table that follows carries the figures as well.

# The longest bar, in millimetres (the report's text is 170 mm wide: the label takes 55).
LONGEST_BAR_MM = 85


@dataclass(frozen=True)
class Bar:
    series: int
    length_mm: float
    text: str
    withheld: bool


@dataclass(frozen=True)
class BarRow:
    label: str
    bars: list[Bar]


@dataclass(frozen=True)
class Bars:
    title: str
    series: tuple[str, ...]
    rows: list[BarRow]


def html_bars(breakdown: Breakdown, *, threshold: int) -> Bars:
    """The breakdown's chart as bars of a length in millimetres (a withheld figure as long as
    the largest value it could be, drawn dashed, as in `bar_chart`)."""
    series = breakdown.columns[: breakdown.charted]
    mm = LONGEST_BAR_MM / _scale_top(breakdown, len(series), threshold)
    return Bars(
        title=breakdown.title,
        series=series,
        rows=[
            BarRow(
                row.label,
                [
                    Bar(
                        index, round(_length(cell, threshold - 1) * mm, 1), cell.text, cell.withheld
                    )
                    for index, cell in enumerate(row.cells[: len(series)])
                ],
            )
            for row in breakdown.rows
        ],
    )


@dataclass(frozen=True)
class Section:
    """A breakdown with its chart, if it has one: as SVG on the page, as boxes in the PDF."""

    breakdown: Breakdown
    chart: Chart | None
    bars: Bars | None = None


def chart_for(breakdown: Breakdown, *, threshold: int) -> Chart | None:
    """The breakdown's chart, or None if it has none or nothing to draw."""
    if not breakdown.charted or not breakdown.has_figures:
        return None
    draw = column_chart if breakdown.columns_chart else bar_chart
    return draw(breakdown, threshold=threshold)


def sections(dashboard: Dashboard, *, pdf: bool = False) -> list[Section]:
    threshold = dashboard.threshold
    if pdf:
        return [
            Section(
                breakdown,
                None,
                html_bars(breakdown, threshold=threshold)
                if breakdown.charted and breakdown.has_figures
                else None,
            )
            for breakdown in dashboard.breakdowns
        ]
    return [
        Section(breakdown, chart_for(breakdown, threshold=threshold))
        for breakdown in dashboard.breakdowns
    ]
