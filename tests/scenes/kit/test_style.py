"""scenes.kit.style's number formats at the edges of the float range."""

from __future__ import annotations

import pytest

from scenes.kit import style


@pytest.mark.parametrize("value, short, full", [
    (5e-324, "4.94×10⁻³²⁴", "4.94×10⁻³²⁴"),     # the smallest subnormal: no division by 10⁻³²⁴ (zero)
    (-3.3e-300, "−3.3×10⁻³⁰⁰", "−3.30×10⁻³⁰⁰"),
    (9.996e5, "1×10⁶", "1.00×10⁶"),              # rounding carries into the next power
    (2.5e-6, "2.5×10⁻⁶", "2.50×10⁻⁶"),
    (0.08, "0.08", "0.0800"),
    (1.7e308, "1.7×10³⁰⁸", "1.70×10³⁰⁸"),
])
def test_tiny_huge_and_ordinary_numbers_format(value, short, full):
    assert style.fmt_short(value) == short
    assert style.fmt(value) == full


def test_a_point_with_a_subnormal_coordinate_formats():
    assert style.fmt_point((0.0, 5e-324), 0) == "(0, 4.94×10⁻³²⁴)"
