"""Parameters as the user typed them: a short exact form for values like β = 0.99999.

``style.fmt_short`` keeps 4 significant digits, which is right for computed numbers but would
show β = 0.99999 as "1". A parameter is shown with as few decimals as represent it exactly
(up to ``MAX_DECIMALS``), through ``style.fmt``.
"""

from __future__ import annotations

import math

from scenes.kit import style

MAX_DECIMALS = 6


def fmt_param(value: float) -> str:
    """``value`` with the fewest decimals (≤ 6) that show it exactly: 0.9, 0.99999, 2, −1.25."""
    value = float(value)
    if not math.isfinite(value) or (value != 0 and abs(value) < 10**-MAX_DECIMALS) or abs(value) >= 1e5:
        return style.fmt_short(value)
    for decimals in range(MAX_DECIMALS + 1):
        if abs(round(value, decimals) - value) <= 1e-12 * max(1.0, abs(value)):
            return style.fmt(value, decimals)
    return style.fmt(value, MAX_DECIMALS)


def tex_param(value: float) -> str:
    """:func:`fmt_param` for MathTex (a TeX minus sign)."""
    return fmt_param(value).replace("−", "-")
