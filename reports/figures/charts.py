"""SVG bar charts as plain geometry for templates/reports/pdf/_bar_chart.html.

The template draws them (so every label is auto-escaped); here we only compute where
bars go. Two grey levels and printed values keep them readable in black and white.
"""

from __future__ import annotations

from reports.figures.base import Cell

FILLS = ("#1a1a1a", "#9a9a9a", "#d0d0d0")
LABEL_W = 170
VALUE_W = 70
BAR_H = 13
GAP = 8


def hbar_chart(
    *,
    title: str,
    labels: list[str],
    series: list[tuple[str, list[Cell | None]]],
    width: int = 520,
    label_width: int = LABEL_W,
) -> dict:
    """Horizontal bars: one row per label, one bar per series that has a cell there.

    A suppressed cell (value None) gets no bar, only its text ("<5"), so a chart never
    shows a small count's length.
    """
    values = [c.value for _, cells in series for c in cells if c is not None]
    top = max([v for v in values if isinstance(v, int | float)] + [1])
    plot_w = width - label_width - VALUE_W
    rows, y = [], 4
    for i, label in enumerate(labels):
        bars = []
        for s, (_name, cells) in enumerate(series):
            cell = cells[i]
            if cell is None:
                continue
            length = 0 if cell.value is None else round(plot_w * cell.value / top, 1)
            bars.append(
                {
                    "x": label_width,
                    "y": y + len(bars) * BAR_H,
                    "w": max(length, 0.5 if cell.value else 0),
                    "h": BAR_H - 2,
                    "fill": FILLS[s % len(FILLS)],
                    "text": cell.text,
                    "text_x": label_width + length + 4,
                    "text_y": y + len(bars) * BAR_H + BAR_H - 4,
                    "url": cell.url,
                }
            )
        height = max(len(bars), 1) * BAR_H
        rows.append({"label": label, "label_y": y + height / 2 + 4, "bars": bars})
        y += height + GAP
    legend = []
    if len(series) > 1:
        for s, (name, _cells) in enumerate(series):
            x = label_width + s * (width - label_width) // len(series)
            legend.append({"label": name, "fill": FILLS[s % len(FILLS)], "x": x})
    return {
        "title": title,
        "width": width,
        "height": y + (22 if legend else 0),
        "legend_y": y + 4,
        "rows": rows,
        "legend": legend,
        "axis_x": label_width,
    }
