"""Server-drawn SVG charts: series in, geometry out (axes with round ticks, labelled categories,
bars or lines, a legend and the numbers as a table), drawn by templates/admin/appeals/charts/."""

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 40  # room for the y labels, the x labels and the legend
MAX_X_LABELS = 8


@dataclass
class Series:
    label: str
    values: list  # one number (or None: nothing to show) per category
    css: str  # the colour class, static/css/admin.css


def nice_ticks(peak: float, count: int = 4) -> list[float]:
    """0 and round steps (1, 2, 2.5 or 5 × 10ⁿ) up to at least `peak`."""
    if peak <= 0:
        return [0, 1]
    raw = peak / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if step < 1 and peak >= 1:
        step = 1  # counts: no half decisions on the axis
    ticks = [0.0]
    while ticks[-1] < peak:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _format(value, percent: bool) -> str:
    if value is None:
        return "—"
    if percent:
        return f"{value * 100:.0f} %"
    return f"{value:g}" if isinstance(value, float) else str(value)


class _Frame:
    """The plot area and the scales of one chart."""

    def __init__(self, categories: list[str], top: float):
        self.n = max(len(categories), 1)
        self.plot_w, self.plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        self.slot = self.plot_w / self.n
        self.top = top

    def x(self, i: int) -> float:
        return round(LEFT + (i + 0.5) * self.slot, 1)

    def y(self, value: float) -> float:
        return round(TOP + self.plot_h * (1 - value / self.top), 1)


def _axes(frame: _Frame, categories: list[str], ticks: list[float], percent: bool, every: int) -> dict:
    # Dates at a sensible interval: counted back from the last category, so today is always labelled.
    last = len(categories) - 1
    x_labels = [{"x": frame.x(i), "text": text} for i, text in enumerate(categories) if (last - i) % every == 0]
    return {
        "y_ticks": [{"y": frame.y(t), "text": _format(t, percent)} for t in ticks],
        "x_labels": x_labels, "x0": LEFT, "x1": WIDTH - RIGHT, "y0": TOP, "y1": TOP + frame.plot_h,
        "label_y": TOP + frame.plot_h + 14, "legend_y": HEIGHT - 8,
    }


def _legend(series: list[Series]) -> list[dict]:
    return [{"x": LEFT + 130 * i, "label": s.label, "css": s.css} for i, s in enumerate(series)]


def _table(categories: list[str], series: list[Series], percent: bool) -> dict:
    return {"columns": [s.label for s in series],
            "rows": [(category, [_format(s.values[i], percent) for s in series])
                     for i, category in enumerate(categories)]}


def _chart(title, categories, series, ticks, percent, *, dates, axis):
    every = max(1, math.ceil(len(categories) / MAX_X_LABELS)) if dates else 1
    frame = _Frame(categories, ticks[-1])
    return frame, {"title": title, "axis": axis, "width": WIDTH, "height": HEIGHT,
                   **_axes(frame, categories, ticks, percent, every), "legend": _legend(series),
                   "table": _table(categories, series, percent), "bars": [], "totals": [], "lines": []}


def bar_chart(title: str, axis: str, categories: list[str], series: list[Series], *, dates: bool = True,
              percent: bool = False) -> dict:
    """Bars stacked per category, the total written above each."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(categories))]
    ticks = [t / 100 for t in nice_ticks(max(totals, default=0) * 100)] if percent else nice_ticks(
        max(totals, default=0))
    frame, chart = _chart(title, categories, series, ticks, percent, dates=dates, axis=axis)
    width = round(min(frame.slot * 0.7, 48), 1)
    for i, category in enumerate(categories):
        base = 0
        for s in series:
            value = s.values[i] or 0
            if value:
                chart["bars"].append({
                    "x": round(frame.x(i) - width / 2, 1), "y": frame.y(base + value), "w": width,
                    "h": round(frame.y(base) - frame.y(base + value), 1), "css": s.css,
                    "title": f"{category} · {s.label}: {_format(value, percent)}"})
            base += value
        if totals[i]:
            chart["totals"].append({"x": frame.x(i), "y": frame.y(totals[i]) - 3, "text": _format(totals[i], percent)})
    return chart


def line_chart(title: str, axis: str, categories: list[str], series: list[Series], *, percent: bool = False) -> dict:
    """A line per series; a day without a value breaks the line instead of drawing a false zero."""
    peak = max((v for s in series for v in s.values if v is not None), default=0)
    ticks = [0, 0.25, 0.5, 0.75, 1] if percent else nice_ticks(peak)
    frame, chart = _chart(title, categories, series, ticks, percent, dates=True, axis=axis)
    for s in series:
        segments, points, current = [], [], []
        for i, value in enumerate(s.values):
            if value is None:
                current = []
                continue
            if not current:
                segments.append(current)
            current.append(f"{frame.x(i)},{frame.y(value)}")
            points.append({"x": frame.x(i), "y": frame.y(value),
                           "title": f"{categories[i]} · {s.label}: {_format(value, percent)}"})
        chart["lines"].append({"css": s.css, "paths": [" ".join(seg) for seg in segments], "points": points})
    return chart
