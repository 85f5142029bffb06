"""Captions as a teacher reads them aloud: math symbols, numbers and formulas in plain words.

:func:`spoken` turns a caption such as ``"θ₃ = −0.632 with η < 2/λmax"`` into
``"theta three equals minus zero point six three two with eta below two over lambda max"``:
what a narration voice (or a voice actor) should say. Every symbol's words come from one table,
:data:`SPOKEN_FORMS`; numbers are read as words (digits after the point one by one), and a
decimal with more than :data:`EAR_DIGITS` significant digits after the point is rounded to that
many significant figures for the ear (the screen keeps the precise figure).
"""

from __future__ import annotations

import re

EAR_DIGITS = 3  # significant figures a listener is given of a long decimal

# The one table: every symbol a caption may hold, and what is said for it. Spaces around the
# words keep them apart from their neighbours ("ηλmax" -> "eta lambda max").
SPOKEN_FORMS: dict[str, str] = {
    # Greek letters
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "Δ": "delta", "ε": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma", "Σ": "sum of", "τ": "tau", "φ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega", "∇": "gradient of", "∂": "partial",
    # marks on a symbol
    "*": "star",  # after a letter (η*, β*); between operands it is "times" (see BINARY_STAR)
    # relations
    "=": "equals", "≠": "is not", "<": "below", ">": "above", "≤": "at most", "≥": "at least",
    "≈": "about", "∼": "about", "~": "about", "→": "to", "↔": "to", "←": "becomes", "∝": "in proportion to",
    # operators
    "+": "plus", "−": "minus", "×": "times", "·": "times", "/": "over", "÷": "over",
    "±": "plus or minus", "√": "square root of", "∞": "infinity", "%": "percent", "°": "degrees",
    "^": "to the",
    # powers (after a base) and their general form
    "²": "squared", "³": "cubed", "power": "to the",
    # a pair of bars: |x|
    "|": "the size of",
    # dashes: a range between numbers, else a pause
    "–": "to", "—": ",",
    # abbreviations said in full (whole words only)
    "vs": "versus", "vs.": "versus", "e.g.": "for example", "i.e.": "that is", "etc.": "and so on",
}

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᵏⁿᵗⁱʲ", "0123456789−+kntij")
SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉ₖₙₜᵢⱼ₋₊", "0123456789kntij−+")
_SUPER_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᵏⁿᵗⁱʲ]+")
_SUB_RUN = re.compile("[₀₁₂₃₄₅₆₇₈₉ₖₙₜᵢⱼ₋₊]+")
_GREEK = "".join(symbol for symbol in SPOKEN_FORMS if symbol.isalpha() and not symbol.isascii())
_NUMBER = re.compile(r"(?<![\d.])(?<!\d,)(\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.(\d+))?")
_TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2026": "...",
                             "\u2032": " prime", "\u2009": " ", "\u00a0": " ", "\u202f": " "})

_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))


def integer_words(value: int) -> str:
    """A whole number in words, as said in US English: 512 -> "five hundred twelve"
    (no hyphens, no "and"; a negative number starts with "minus")."""
    if value < 0:
        return "minus " + integer_words(-value)
    if value < 20:
        return _ONES[value]
    if value < 100:
        tens, ones = divmod(value, 10)
        return _TENS[tens] + (" " + _ONES[ones] if ones else "")
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        return _ONES[hundreds] + " hundred" + (" " + integer_words(rest) if rest else "")
    for scale, name in _SCALES:
        if value >= scale:
            high, rest = divmod(value, scale)
            return integer_words(high) + " " + name + (" " + integer_words(rest) if rest else "")
    raise AssertionError("unreachable")


def for_the_ear(whole: str, fraction: str) -> tuple[str, str]:
    """The digits of a decimal ``whole.fraction`` as said aloud: with more than :data:`EAR_DIGITS`
    significant digits after the point, rounded to :data:`EAR_DIGITS` significant figures (and
    trailing zeros of the rounded figure dropped: 3.0024 -> 3, 0.5263 -> 0.526, 2.5716 -> 2.57);
    otherwise as written."""
    significant = fraction.lstrip("0") if int(whole) == 0 else fraction
    if len(significant) <= EAR_DIGITS:
        return whole, fraction
    rounded = float(f"{float(whole + '.' + fraction):.{EAR_DIGITS}g}")
    text = f"{rounded:.{len(fraction)}f}".rstrip("0")
    head, _, tail = text.partition(".")
    if len(head) > len(whole) + 1 or "e" in text:  # keep the number's size as shown
        return whole, fraction
    return head, tail


def number_words(whole: str, fraction: str | None = None) -> str:
    """A number in words: "3,600" -> "three thousand six hundred", "0.632" -> "zero point six three
    two" (digits after the point one by one, a long decimal rounded by :func:`for_the_ear`)."""
    whole = whole.replace(",", "")
    if fraction:
        whole, fraction = for_the_ear(whole, fraction)
    words = integer_words(int(whole))
    if fraction:
        words += " point " + " ".join(_ONES[int(digit)] for digit in fraction)
    return words


def _power(match: re.Match[str]) -> str:
    exponent = match.group(0).translate(SUPERSCRIPTS)
    if exponent in ("2", "3"):
        return f" {SPOKEN_FORMS[match.group(0)]} "
    return f" {SPOKEN_FORMS['power']} {exponent} "


def _scientific(match: re.Match[str]) -> str:
    mantissa, exponent = match.group(1), match.group(2).replace("-", "−").lstrip("+")
    lead = "" if mantissa == "1" else f"{mantissa} {SPOKEN_FORMS['×']} "
    return f" {lead}10 {SPOKEN_FORMS['power']} {exponent} "


def _number(match: re.Match[str]) -> str:
    return f" {number_words(match.group(1), match.group(2))} "


def _size(match: re.Match[str]) -> str:
    """|x|: "the size of x", or "size of x" after a word that already picks one out ("the widest |μ|")."""
    before = match.string[:match.start()].split()
    determined = len(before) >= 1 and before[-1].lower() in ("every", "each", "all", "its", "their") or \
        len(before) >= 2 and before[-2].lower() == "the"
    words = SPOKEN_FORMS["|"].removeprefix("the ") if determined else SPOKEN_FORMS["|"]
    return f" {words} {match.group(1)} "


def spoken(text: str) -> str:
    """``text`` (a caption) as a teacher reads it aloud, in plain ASCII words.

    Greek letters by name (λmax "lambda max", η* "eta star"), subscripts as words after their
    letter (v₁ "v one"), powers (10⁻⁶ "ten to the minus six", βᵏ "beta to the k", β² "beta
    squared", β^(t/2) "beta to the t over two", 1e-6 "ten to the minus six"), operators and
    relations (2/λmax "two over lambda max", η < x "eta below x", ≤ "at most", ≈ "about", ×19
    "times nineteen", ± "plus or minus", √ "square root of", |x| "the size of x"), signs and
    numbers in words (−0.632 "minus zero point six three two", 3,600 "three thousand six
    hundred", 62% "sixty two percent"), ranges (0.5–0.99 "zero point five to zero point nine
    nine"). Brackets are dropped; other punctuation stays for the voice's pauses.
    """
    said = text.translate(_TYPOGRAPHY)
    said = re.sub(r"(?<=\d)\s*[–—-]\s*(?=\d)", f" {SPOKEN_FORMS['–']} ", said)  # ranges 0.5–0.99
    said = re.sub(r"\s*[–—]\s*", f"{SPOKEN_FORMS['—']} ", said)
    said = re.sub(r"(?<![\w.])(\d+(?:\.\d+)?)[eE]([−+-]?\d+)\b", _scientific, said)
    said = _SUPER_RUN.sub(_power, said)
    said = _SUB_RUN.sub(lambda m: " " + m.group(0).translate(SUBSCRIPTS) + " ", said)
    said = re.sub(r"\^\s*\(([^()]*)\)", lambda m: f" {SPOKEN_FORMS['^']} {m.group(1)} ", said)
    said = re.sub(rf"([{_GREEK}A-Za-z])\*", lambda m: f"{m.group(1)} {SPOKEN_FORMS['*']} ", said)
    said = said.replace("*", f" {SPOKEN_FORMS['×']} ")
    said = re.sub(r"_\{?(\w+)\}?", r" \1 ", said)  # λ_max, λ_{max}
    said = re.sub(r"\|([^|]+)\|", _size, said)
    said = re.sub(r"(?<![\w)])-(?=\d)", "−", said)  # an ASCII minus sign before a number
    said = re.sub(r"(?<=\d)-(?=[A-Za-z])", " ", said)  # 1-D, 3-D: "one D"
    said = _NUMBER.sub(_number, said)
    for symbol, words in SPOKEN_FORMS.items():
        if len(symbol) == 1 and symbol not in "*–—":
            said = said.replace(symbol, f" {words} ")
        elif not symbol.isalpha() or symbol.isascii() and symbol != "power":
            said = re.sub(rf"(?<!\w){re.escape(symbol)}(?!\w)", f" {words} ", said)
    # a point (6, 6) is read as its coordinates; other brackets are pauses: "η(1 − β)" -> "eta, one minus beta,"
    said = re.sub(r"\(([\w .]+), ([\w .]+)\)", r" \1, \2 ", said)
    said = re.sub(r"[()\[\]{}]", ", ", said)
    said = said.replace('"', " ")
    said = " ".join(said.split())
    said = re.sub(r" ([,.;:!?])", r"\1", said)
    said = re.sub(r",(?:\s*,)+", ",", said)
    said = re.sub(r",\s*([.;:!?])", r"\1", said)
    said = re.sub(r"([.;:!?]),", r"\1", said)
    said = said.strip(" ,")
    return said[:1].upper() + said[1:]
