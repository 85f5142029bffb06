"""Splitting the side panel: one column beside the plot, two columns on a wide strip under it.

Landscape frames give the panel a tall narrow column to the right of the plot; portrait frames
give it a wide, short strip under the plot. A scene lays out its words in ``text`` and its chart
or table in ``chart``: on a narrow panel both are the whole panel (the chart goes under the
words), on a wide strip they are its left and right halves.
"""

from __future__ import annotations

from typing import NamedTuple

from scenes.kit.style import MARGIN, Rect

WIDE_PANEL = 6.0  # scene units: a panel at least this wide gets two columns


class PanelColumns(NamedTuple):
    text: Rect     # legend, counters, readouts
    chart: Rect    # inset or table
    split: bool    # True when side by side (the chart then has the panel's full height)


def split_panel(panel: Rect) -> PanelColumns:
    """The panel's text and chart columns (see the module docstring)."""
    if panel.width < WIDE_PANEL:
        return PanelColumns(panel, panel, False)
    half = (panel.width - MARGIN) / 2
    text = Rect(panel.left + half / 2, panel.y, half, panel.height)
    chart = Rect(panel.right - half / 2, panel.y, half, panel.height)
    return PanelColumns(text, chart, True)
