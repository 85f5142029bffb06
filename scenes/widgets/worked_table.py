"""A worked table: MathTex cells in aligned columns, revealed row by row; numbers formatted for TeX.

Cells are built once by the scene (coloured MathTex); the table only measures, aligns and scales
them into a rectangle (uniformly, so every row keeps the same type size) and draws a rule under
the header. ``tex_number`` is the one formatter for numbers inside MathTex: ``style.fmt_short``
with a TeX minus sign, so a number reads the same in a caption and in an equation.
"""

from __future__ import annotations

import re
from typing import Sequence

from manim import Line, MathTex, Mobject, VGroup

from scenes.kit import style
from scenes.kit.style import Rect


_PLAIN_DIGITS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "−0123456789")


def tex_number(value: float) -> str:
    """``value`` as TeX: :func:`scenes.kit.style.fmt_short` with a TeX minus and ``\\times 10^{n}``.

    Accepts both spellings of the exponent ``style.fmt`` has used (``×10^5`` and ``×10⁵``).
    """
    return as_tex(style.fmt_short(float(value)))


def fmt_column(values) -> list[str]:
    """Numbers of one table column, as few significant digits as keep neighbours apart.

    ``style.fmt_short`` (4 significant digits) unless two successive values that differ would
    print the same (θ creeping by 10⁻⁴ around −12.35); then up to 8 significant digits.
    """
    numbers = [float(v) for v in values]
    for digits in range(4, 9):
        texts = [style.fmt_short(v) if digits == 4 else _significant(v, digits) for v in numbers]
        if all(ta != tb or abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))
               for a, b, ta, tb in zip(numbers, numbers[1:], texts, texts[1:])):
            return texts
    return texts


def _significant(value: float, digits: int) -> str:
    text = f"{value:.{digits}g}"
    if "e" in text:
        return style.fmt_short(value)
    return text.replace("-", "−")


def as_tex(text: str) -> str:
    """A number already formatted for the screen (``style.fmt*``) as TeX."""
    text = re.sub(r"×10(?:\^(−?\d+)|([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))",
                  lambda m: r"\times 10^{" + (m.group(1) or m.group(2).translate(_PLAIN_DIGITS)) + "}", text)
    return text.replace("−", "-")


def paren(text: str) -> str:
    """A formatted number in parentheses when negative (after an operator): ``(−1)``."""
    return f"({text})" if text.startswith(("-", "−")) else text


def tex_operand(value: float) -> str:
    """``value`` as TeX for use after an operator: negative numbers in parentheses, ``(-1)``."""
    text = tex_number(value)
    return f"({text})" if text.startswith("-") else text


Piece = tuple[str, str]  # (TeX, colour)


def typeset_cells(cells: Sequence[Sequence[Piece]], scale: float = style.MATH_SCALE) -> list[VGroup]:
    """Typeset many cells in one LaTeX run: each cell a list of (TeX, colour) pieces.

    One MathTex holds every piece (one compile instead of one per cell); the pieces of each
    cell are regrouped into a VGroup, coloured, ready to be placed. Each piece must be balanced
    TeX on its own.
    """
    pieces = [piece for cell in cells for piece in cell]
    mob = MathTex(*[tex for tex, _ in pieces]).scale(scale)
    out, index = [], 0
    for cell in cells:
        group = VGroup(*mob[index:index + len(cell)])
        for sub, (_, color) in zip(group, cell):
            sub.set_color(color)
        out.append(group)
        index += len(cell)
    return out


class WorkedTable(VGroup):
    """``header`` cells over ``rows`` of cells, columns left-aligned, fitted into ``rect``.

    ``self.header`` and ``self.rows`` (one VGroup per row) are the pieces to reveal; the rule
    under the header is ``self.rule``. The whole table is scaled down uniformly if it does not
    fit (and to ``max_scale`` at most, to match another table) and is placed at the top of ``rect``.
    """

    def __init__(self, header: Sequence[Mobject], rows: Sequence[Sequence[Mobject]], rect: Rect,
                 col_gap: float = 0.6, row_gap: float = 0.3, max_scale: float = 1.0) -> None:
        super().__init__()
        grid = [list(header)] + [list(row) for row in rows]
        columns = len(header)
        widths, heights = _extents(grid)
        total_w, total_h = self.natural_size(header, rows, col_gap, row_gap)
        scale = min(max_scale, rect.width / total_w, rect.height / total_h)
        lefts = [sum(widths[:c]) + col_gap * c for c in range(columns)]
        y = 0.0
        centres = []
        for r, row in enumerate(grid):
            centre = y - heights[r] / 2
            centres.append(centre)
            for c, cell in enumerate(row):
                cell.move_to([lefts[c] + cell.width / 2, centre, 0])
            y -= heights[r] + row_gap + (row_gap if r == 0 else 0)
        rule_y = centres[0] - heights[0] / 2 - row_gap * 0.9
        self.rule = Line([0, rule_y, 0], [total_w, rule_y, 0], stroke_color=style.AXIS, stroke_width=1.5)
        self.header = VGroup(*grid[0])
        self.rows = [VGroup(*row) for row in grid[1:]]
        self.add(self.header, self.rule, *self.rows)
        self.scale(scale, about_point=[0, 0, 0])
        self.move_to([rect.x, rect.top - self.height / 2, 0])
        self.set_z_index(style.Z_LABEL)

    @staticmethod
    def natural_size(header: Sequence[Mobject], rows: Sequence[Sequence[Mobject]], col_gap: float = 0.6,
                     row_gap: float = 0.3) -> tuple[float, float]:
        """Width and height (scene units) the table takes unscaled, with the given gaps."""
        grid = [list(header)] + [list(row) for row in rows]
        widths, heights = _extents(grid)
        return sum(widths) + col_gap * (len(header) - 1), sum(heights) + row_gap * len(grid)


def _extents(grid: Sequence[Sequence[Mobject]]) -> tuple[list[float], list[float]]:
    """The widest cell of each column and the tallest of each row."""
    return ([max(row[c].width for row in grid) for c in range(len(grid[0]))],
            [max(cell.height for cell in row) for row in grid])
