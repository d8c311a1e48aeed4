"""The progress charts: one metric over the sessions (plotext, drawn again for its size each time
it is painted, so 80x24 and a wide terminal both get an axis that fits), and the mean score of
each question category as bars in a table (names in full, weakest first)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.bar import Bar
from rich.table import Table
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from oral_sim.engine.metrics import WPM_RANGE
from oral_sim.engine.progress import session_ticks, value_range

#: Rows of a chart that are not its plot: the title, the top frame, the x axis, its labels.
FRAME_ROWS = 4

#: At most this many labels on a y axis (one every other row or sparser beyond that).
MOST_Y_LABELS = 6


@dataclass
class MetricSeries:
    """One metric over the sessions, as a chart shows it."""

    metric: str
    """Name in `engine.progress` ("score", "fillers_per_min", "wpm")."""
    name: str
    """Its title on a wide chart ("Fillers per minute")."""
    short: str
    """Its title on a narrow one ("Fillers/min")."""
    values: list[float | None]
    """One per session, oldest first; None where a session had no spoken answer."""
    digits: int = 0
    """Decimals its values are shown with."""
    best: str | None = None
    """"max" or "min": which end is better, to name the best session in the title."""


def row_ticks(lo: float, hi: float, rows: int) -> tuple[list[float], list[str]]:
    """Y axis labels for a plot `rows` rows tall spanning lo..hi, each on the row whose value it
    is (plotext left alone put labels up to 16.7 points off their rows at 80x24 and dropped the
    ones that collided: 100, 83.3, 66.7, 33.3, ...). Round values (0, 50, 100) where they fall
    on rows, otherwise the rows' own values, evenly spaced; never on neighbouring rows."""
    if rows < 2 or hi <= lo:
        return [lo, hi], [_rounded(lo, hi - lo), _rounded(hi, hi - lo)]
    per_row = (hi - lo) / (rows - 1)
    fewest = 3 if rows >= 5 else 2
    for step in _nice_steps(per_row * 2, hi - lo):
        first = math.ceil(lo / step - 1e-9) * step
        values = [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]
        at = [(v - lo) / per_row for v in values]
        # each label at most a fifth of the labels' spacing away from its row's value
        near = all(abs(r - round(r)) * per_row < 0.2 * step for r in at)
        if fewest <= len(values) <= MOST_Y_LABELS and near:
            digits = 0 if step == int(step) else len(f"{step:g}".split(".")[1])
            return values, [f"{v:.{digits}f}" for v in values]
    every = max(2, math.ceil((rows - 1) / (MOST_Y_LABELS - 1)))
    picked = list(range(0, rows, every))
    if picked[-1] != rows - 1:
        if rows - 1 - picked[-1] < 2 and len(picked) > 1:
            picked.pop()
        picked.append(rows - 1)
    values = [lo + r * per_row for r in picked]
    return values, [_rounded(v, per_row * every) for v in values]


def _nice_steps(least: float, most: float) -> list[float]:
    """1, 2, 2.5, 5 times a power of ten, from `least` to `most`, smallest first."""
    steps = []
    power = 10.0 ** math.floor(math.log10(least))
    while power <= most:
        steps += [m * power for m in (1, 2, 2.5, 5) if least <= m * power <= most]
        power *= 10
    return steps


def _rounded(value: float, spacing: float) -> str:
    """A row's value, with as many decimals as the spacing of the labels needs."""
    digits = 0 if spacing >= 2 or spacing == 0 else 1
    return f"{value:.{digits}f}"


class MetricChart(PlotextPlot):
    """One metric over the sessions; the title gives the last value and the best."""

    def __init__(self, series: MetricSeries, **kwargs: str) -> None:
        super().__init__(**kwargs)
        self.series = series

    def render(self) -> RenderResult:
        self.draw(self.size.width, self.size.height)
        return super().render()

    def draw(self, width: int, height: int) -> None:
        """Lay the chart out for a widget `width` x `height` cells."""
        s = self.series
        plt = self.plt
        plt.clear_figure()
        pairs = [(x, v) for x, v in enumerate(s.values, 1) if v is not None]
        plt.title(self.title_for(width))
        if not pairs:
            return
        xs, ys = [x for x, _ in pairs], [v for _, v in pairs]
        count = len(s.values)
        lo, hi = value_range(s.metric, ys)
        plt.plot(xs, ys, marker="dot")
        # session numbers, as many as fit at four cells each
        plt.xticks(session_ticks(count, most=max(2, min(10, (width - 8) // 4))))
        plt.xlim(0.5, count + 0.5)
        plt.ylim(lo, hi)
        plt.yticks(*row_ticks(lo, hi, height - FRAME_ROWS))

    def title_for(self, width: int) -> str:
        """The longest title that fits: name, last value, best value."""
        s = self.series
        shown = [v for v in s.values if v is not None]
        if not shown:
            return f"{s.short}: " + ("no spoken answers yet" if s.values else "no sessions yet")
        last = f"last {shown[-1]:.{s.digits}f}"
        if s.best is not None:
            best = max(shown) if s.best == "max" else min(shown)
            word = "best" if s.best == "max" else "fewest"
            extra = f"{word} {best:.{s.digits}f}"
        else:
            extra = f"aim {WPM_RANGE[0]:g}-{WPM_RANGE[1]:g}" if s.metric == "wpm" else ""
        candidates = [f"{s.name} by session: {last}, {extra}", f"{s.name}: {last}, {extra}",
                      f"{s.short}: {last}, {extra}", f"{s.short}: {last}"]
        fitting = [c.rstrip(", ") for c in candidates if len(c.rstrip(", ")) <= width - 2]
        return fitting[0] if fitting else candidates[-1]


def category_table(categories: dict[str, list[float]]) -> Table:
    """Each category's mean score, weakest first: a bar on the 0-100 scale (its track shaded, so
    its length reads as a share of it), the mean and, in brackets, the number of answers. Names
    are never cut; the bars take the width that is left."""
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(justify="right", no_wrap=True, style="dim")
    means = {name: sum(scores) / len(scores) for name, scores in categories.items() if scores}
    for name, mean in sorted(means.items(), key=lambda item: item[1]):
        table.add_row(name, Bar(100, 0, mean, color="cyan", bgcolor="grey23"), f"{mean:.0f}",
                      f"({len(categories[name])})")
    return table
