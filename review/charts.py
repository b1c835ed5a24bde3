"""Small SVG charts drawn here, so the report is one file that opens offline and prints.

No charting library and no script: plain <rect> and <text> elements, sized in a viewBox so
they scale with the page, with a <title> on every bar for the exact figure on hover.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

CURRENT = "#2b6cb0"
PREVIOUS = "#b8c4d6"
INK = "#2d3748"
GRID = "#e2e8f0"
FONT_PX = 11
FONT = f"font-family:system-ui,sans-serif;font-size:{FONT_PX}px"
# A generous average glyph width, as a share of the font size, for spacing axis labels.
GLYPH = 0.62


def nice_ceiling(value: float) -> tuple[float, float]:
    """An axis top at or above `value` and a round tick step (1, 2 or 5 × 10^k)."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(step, 1.0)
    return step * math.ceil(value / step), step


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def column_chart(
    labels: Sequence[str],
    current: Sequence[float],
    previous: Sequence[float] | None = None,
    *,
    legend: tuple[str, str] = ("", ""),
    title: str = "",
    width: int = 720,
    height: int = 220,
) -> Markup:
    """Vertical bars per category: this period solid, the previous one pale beside it."""
    left, right, top, bottom = 44, 8, 22, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([*current, *(previous or []), 0])
    axis_top, step = nice_ceiling(peak)
    slot = plot_w / max(len(labels), 1)
    bar_w = slot * (0.4 if previous is not None else 0.7)
    parts = [_open(width, height, title)]
    tick = 0.0
    while tick <= axis_top + 1e-9:
        y = top + plot_h - plot_h * tick / axis_top
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">{_fmt(tick)}</text>')
        tick += step
    show_values = len(labels) <= 10
    widest = max((len(label) for label in labels), default=0) * FONT_PX * GLYPH + 6
    every = max(1, math.ceil(widest / slot))  # a month of days: every few labels, never overprinted
    for i, label in enumerate(labels):
        x0 = left + slot * i + (slot - bar_w * (2 if previous is not None else 1)) / 2
        if previous is not None:
            parts.append(_bar(x0 + bar_w, previous[i], bar_w, axis_top, top, plot_h, PREVIOUS, f"{label}: {legend[1]}"))
        parts.append(_bar(x0, current[i], bar_w, axis_top, top, plot_h, CURRENT, f"{label}: {legend[0]}"))
        if show_values and current[i]:
            y = top + plot_h - plot_h * current[i] / axis_top - 3
            parts.append(
                f'<text x="{x0 + bar_w / 2:.1f}" y="{y:.1f}" text-anchor="middle" fill="{INK}">'
                f"{_fmt(current[i])}</text>"
            )
        if i % every == 0:
            parts.append(
                f'<text x="{left + slot * (i + 0.5):.1f}" y="{height - bottom + 14}" '
                f'text-anchor="middle" fill="{INK}" class="axis-label">{escape(label)}</text>'
            )
    if previous is not None and any(legend):
        parts.append(_legend(width - right, legend))
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_list(
    labels: Sequence[str],
    values: Sequence[float],
    previous: Sequence[float] | None = None,
    *,
    legend: tuple[str, str] = ("", ""),
    title: str = "",
    width: int = 720,
) -> Markup:
    """Horizontal bars, one row per item, for ranked lists such as topics."""
    row, label_w, value_w, top = 22, 300, 56, 22
    height = top + row * len(labels) + 6
    plot_w = width - label_w - value_w
    peak = max([*values, *(previous or []), 1])
    parts = [_open(width, height, title)]
    for i, label in enumerate(labels):
        y = top + row * i
        short = label if len(label) <= 42 else label[:41] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" fill="{INK}">'
            f"<title>{escape(label)}</title>{escape(short)}</text>"
        )
        w = plot_w * values[i] / peak
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8 if previous else row - 6}" '
            f'fill="{CURRENT}"><title>{escape(label)}: {_fmt(values[i])}</title></rect>'
        )
        if previous is not None:
            pw = plot_w * previous[i] / peak
            parts.append(
                f'<rect x="{label_w}" y="{y + row - 5}" width="{pw:.1f}" height="3" fill="{PREVIOUS}">'
                f"<title>{escape(label)}: {escape(legend[1])} {_fmt(previous[i])}</title></rect>"
            )
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" fill="{INK}">{_fmt(values[i])}</text>')
    if previous is not None and any(legend):
        parts.append(_legend(width - 4, legend))
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" style="{FONT};max-width:{width}px">'
        f"<title>{escape(title)}</title>"
    )


def _bar(x: float, value: float, width: float, axis_top: float, top: int, plot_h: int, color: str, label: str) -> str:
    h = plot_h * value / axis_top
    return (
        f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{width:.1f}" height="{h:.1f}" fill="{color}">'
        f"<title>{escape(label)}: {_fmt(value)}</title></rect>"
    )


def _legend(right: float, legend: tuple[str, str]) -> str:
    x = right - 250
    return (
        f'<rect x="{x}" y="4" width="10" height="10" fill="{CURRENT}"/>'
        f'<text x="{x + 14}" y="13" fill="{INK}">{escape(legend[0])}</text>'
        f'<rect x="{x + 125}" y="4" width="10" height="10" fill="{PREVIOUS}"/>'
        f'<text x="{x + 139}" y="13" fill="{INK}">{escape(legend[1])}</text>'
    )
