"""What every benchmark returns: one row per measured figure, rendered into one markdown table.

A ``Result`` holds a figure and the baseline it is compared with, both measured in the same run,
as short display texts, and the ratio (figure / baseline) as a number. A part that cannot run
(PostgreSQL when no server answers) is a ``Result`` too, with ``skipped`` saying why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Log = Callable[[str], object]
"""Where a benchmark writes its detailed lines (``print`` when run alone, quiet under ``python -m bench``)."""

COLUMNS = ("benchmark", "figure", "baseline", "ratio")
TIMES = "\u00d7"
"""The multiplication sign written after a ratio."""


def quiet(line: str) -> None:
    """A ``Log`` that drops every line."""


@dataclass(frozen=True)
class Result:
    benchmark: str
    """What is measured, as a table cell (markdown allowed)."""
    figure: str = ""
    baseline: str = ""
    ratio: float | None = None
    """figure / baseline; under 1 means the measured part takes less (time, calls, memory) than the baseline."""
    of: str = ""
    """What the ratio compares when it is not time (``API calls``, ``peak memory``)."""
    target: float | None = None
    """The highest ratio the project aims for, shown beside it."""
    skipped: str = ""
    """Why this part did not run; empty when it did."""

    @classmethod
    def skip(cls, benchmark: str, reason: str) -> Result:
        return cls(benchmark, skipped=reason)

    def cells(self) -> tuple[str, str, str, str]:
        if self.skipped:
            return (self.benchmark, f"skipped: {self.skipped}", "", "")
        ratio = "" if self.ratio is None else f"**{format_ratio(self.ratio)}**"
        if self.of:
            ratio = f"{ratio} {self.of}".strip()
        if self.target is not None:
            ratio = f"{ratio} (target ≤ {self.target:g}{TIMES})".strip()
        return (self.benchmark, self.figure, self.baseline, ratio)


def format_ratio(ratio: float) -> str:
    """The ratio and a multiplication sign: two decimals, or two significant digits below 0.1 (0.0091)."""
    if ratio == 0:
        return "0" + TIMES
    if abs(ratio) >= 0.1:
        return f"{ratio:.2f}{TIMES}"
    return f"{ratio:#.2g}{TIMES}"


def markdown_table(results: Sequence[Result]) -> str:
    """One GitHub-flavoured markdown table, a row per result, pipes in cells escaped."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for result in results:
        lines.append("| " + " | ".join(_cell(text) for text in result.cells()) + " |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def milliseconds(seconds: float) -> str:
    """``12.2 ms``, ``0.45 ms``, ``1.7 s``: a duration at a readable precision."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    ms = seconds * 1e3
    return f"{ms:.1f} ms" if ms >= 10 else f"{ms:.2f} ms"


def per_second(count: float, seconds: float) -> str:
    """A rate such as ``26,300 events/s`` needs the unit from the caller; this is the rounded number."""
    rate = count / seconds
    return f"{rate:,.0f}" if rate >= 100 else f"{rate:,.1f}"
