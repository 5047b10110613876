"""`match = "number"`: a number, optionally with a unit, exact or within a tolerance or a range.

`50GB`, `50 GB` and `50 gb` are the same; `1,000`, `1_000`, `1 000`, `1'000` and `1e3`
are 1000, and `1.000.000` a million; `0,5`, `0,500` and `1,5` have a decimal comma (a
first group of 0 is never thousands); `1/2`, `½` and `1½` are fractions.
A bit is no byte: `Gb` (`gigabit`) is not `GB` (`gigabyte`); `gb`, typed without
Shift, may be either.
A back like `20-50 GB` is a range by itself; `accept_range = [20, 50]` says
so explicitly and `tolerance = 0.5` accepts ±0.5 around the back's number.
Leaving the unit out is fine; a different unit is a miss (the card's
`aliases` can name other spellings of it: `{ "gigabytes" = "GB" }`); `50G`,
`50 M`, `50 K` are short for GB, MB, KB (`Gi` for GiB). A word that hedges or
bounds the number without leaving it out (`up to 50 GB`, `at most`, `<= 50`,
`50 GB max`, `at least 3`) is read as the number; a strict bound (`under 50`,
`< 50`, `more than 3`) leaves the number out, so it is never right (but it is
read as a number, and the verdict says what was expected). The learner's own
aside in brackets (`5 ms (roughly)`) is not read. Numbers are never a near miss.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from retain.core.answer.diff import char_diff, similarity
from retain.core.answer.normalise import normalise, unify_styles
from retain.core.answer.spec import AnswerSpec
from retain.core.answer.textmode import (
    ASIDE_NOTE,
    MAX_ANSWER,
    MAX_TARGETS,
    check_text,
    plain_answer,
    targets,
    without_asides,
)
from retain.core.answer.verdict import TypedCheck

__all__ = ["Quantity", "check_number", "parse_quantity"]

# `1,000.5` and `1,500` (thousands: groups of three digits after a first group of one to three
# that is not zero), else `1.5`, `1,5` or `0,500` (a decimal comma: a first group of 0 is never
# thousands, and neither is a comma not followed by three digits). Groups may also be set apart by
# spaces (`1 500`: a no-break or thin space is one after NFKC) or apostrophes (`1'500`), with a
# decimal point or comma, or by dots when there are two groups or a decimal comma follows
# (`1.000.000`, `1.500,5`; `1.500` alone is one and a half).
_GROUPED = r"(?!0+[,_])\d{1,3}(?:[,_]\d{3})+(?:\.\d+)?"
_SPACED = r"(?!0+[ '])\d{1,3}(?:[ ']\d{3})+(?:[.,]\d+)?"
_DOTTED = r"(?!0+\.)\d{1,3}(?:(?:\.\d{3}){2,}(?:,\d+)?|(?:\.\d{3})+,\d+)"
# `1/2`, `1 1/2` (`½` and `1½` are these after `unify_styles`).
_FRACTION = r"(?:\d+ )?\d+/[1-9]\d*"
_NUM = rf"[-+]?{_FRACTION}|[-+]?(?:{_GROUPED}|{_SPACED}|{_DOTTED}|\d+(?:[.,]\d+)?)(?:e[-+]?\d+)?|[-+]?[.,]\d+"
_THOUSANDS = re.compile(rf"[-+]?{_GROUPED}(?:e[-+]?\d+)?", re.IGNORECASE)
_DOTS = re.compile(rf"[-+]?{_DOTTED}(?:e[-+]?\d+)?", re.IGNORECASE)
# A vulgar fraction right after a digit (`1½`): NFKC would make it `11⁄2`; it is `1 1/2`.
_MIXED_FRACTION = re.compile(r"(?<=\d)(?=[\u00bc-\u00be\u2150-\u215e])")
_PARTS = re.compile(r"([-+]?)(?:(\d+) )?(\d+)/(\d+)")
# `about 30`, `between 20 and 50`, `from 20 to 50`: words before a number, and between two.
_BEFORE = r"(?:~|≈|(?:about|around|approximately|approx\.?|roughly|between|from)\s+)?"
_BETWEEN = r"(?:-|to|and|\.\.)"
_QUANTITY = re.compile(
    rf"^{_BEFORE}(?P<low>{_NUM})(?:\s*{_BETWEEN}\s*(?P<high>{_NUM}))?\s*(?P<unit>(?!(?:and|to)\b)[^\d\s.,+-][^\d]{{0,15}})?$",
    re.IGNORECASE,
)


# `20 GB to 50 GB`, `20GB-50GB`: a range that writes its unit after both numbers (the same unit).
_UNIT_RANGE = re.compile(
    rf"^{_BEFORE}(?P<low>{_NUM})\s*(?P<u1>[a-zµ°%]{{1,15}})\s*{_BETWEEN}\s*"
    rf"(?P<high>{_NUM})\s*(?P<unit>[a-zµ°%]{{1,15}})$",
    re.IGNORECASE,
)


# Words that bound or hedge a number, before it: inclusive ones read as the number itself (`up to 50`
# is 50), strict ones (`under 50`, `> 3`) leave it out. And after it: `50 GB max`, `3 or more`.
_QUALIFIER = re.compile(
    r"^(?:(?P<below><(?!=)|under|below|less than|fewer than)|(?P<above>>(?!=)|over|above|more than|greater than)"
    r"|<=|=<|≤|>=|=>|≥|=|up to|at most|no more than|not more than|at least|no less than|not less than"
    r"|max(?:imum)?\.?|min(?:imum)?\.?|circa|ca\.)\s*(?=[-+.,\d~≈]|about|around|approx|roughly)",
    re.IGNORECASE,
)
_AFTER = re.compile(
    r"\s+(?:max(?:imum)?|at most|or less|or fewer|or so|at least|or more|minimum|tops)$", re.IGNORECASE
)

# Punctuation before the number does not count, but a dot before a digit is its decimal point (`.5`).
# Possessive: nothing follows, and a plain `+` of a group keeps memory for every character it passes.
_LEAD = re.compile(r"^(?:[ !?;:,]|\.(?!\d))++")


@dataclass(frozen=True, slots=True)
class Quantity:
    low: float
    high: float  # == low for a single number
    unit: str  # case-folded, no spaces ("" for none)
    shown_unit: str = ""  # as written
    bound: str = ""  # a strict bound, as written (`under`, `<`, `more than`): the number is left out


# Units every card knows by their names (the card's `aliases` add more); read after a plural `s`
# is dropped, case-folded, to the unit as it is written: bits and bytes keep their case
# (`gigabyte` is `GB`, `gigabit` is `Gb`). Ambiguous ones (`m`: metres or minutes) are left out.
_UNIT_NAMES = {
    "nanosecond": "ns",
    "nsec": "ns",
    "microsecond": "µs",
    "us": "µs",
    "μs": "µs",
    "usec": "µs",
    "millisecond": "ms",
    "msec": "ms",
    "milli": "ms",
    "second": "s",
    "sec": "s",
    "minute": "min",
    "hour": "h",
    "hr": "h",
    "day": "d",
    "byte": "B",
    "kilobyte": "KB",
    "megabyte": "MB",
    "gigabyte": "GB",
    "gig": "GB",
    "terabyte": "TB",
    "petabyte": "PB",
    "kibibyte": "KiB",
    "mebibyte": "MiB",
    "gibibyte": "GiB",
    "tebibyte": "TiB",
    "bit": "b",
    "kilobit": "Kb",
    "megabit": "Mb",
    "gigabit": "Gb",
    "terabit": "Tb",
    "petabit": "Pb",
    "kibibit": "Kib",
    "mebibit": "Mib",
    "gibibit": "Gib",
    "tebibit": "Tib",
    "percent": "%",
    "pct": "%",
    "percentage": "%",
}


def _float(text: str) -> float:
    fraction = _PARTS.fullmatch(text) if "/" in text else None
    if fraction is not None:
        sign, whole, numerator, denominator = fraction.groups()
        value = int(whole or 0) + int(numerator) / int(denominator)
        return -value if sign == "-" else value
    text = text.replace("_", "")
    if _DOTS.fullmatch(text) is not None:  # `1.000.000`, `1.500,5`
        return float(text.replace(".", "").replace(",", "."))
    if " " in text or "'" in text:  # `1 500`, `1'500.5`, `1 500,5` (`_SPACED`: a decimal comma)
        text = text.replace(" ", "").replace("'", "").replace(",", ".")
    elif "," in text:
        thousands = _THOUSANDS.fullmatch(text) is not None
        text = text.replace(",", "" if thousands else ".")
    return float(text)


def parse_quantity(text: str) -> Quantity | None:
    """`"50 GB"` -> 50..50 gb; `"20-50GB"` -> 20..50 gb; `"9092"` -> 9092; else None."""
    if _MIXED_FRACTION.search(text) is not None:
        text = _MIXED_FRACTION.sub(" ", text)
    norm = _LEAD.sub("", " ".join(unify_styles(text).split()).rstrip(" .!?;:,"))[:100]
    bound = ""
    qualifier = _QUALIFIER.match(norm)
    if qualifier is not None:
        bound = (qualifier["below"] or qualifier["above"] or "").lower()
        norm = norm[qualifier.end() :]
    norm = _AFTER.sub("", norm)
    m = _QUANTITY.match(norm)
    if m is None:
        m = _UNIT_RANGE.match(norm)
        if m is None or m["u1"].casefold() != m["unit"].casefold() or not _same_unit(m["u1"], m["unit"]):
            return None
    try:
        low = _float(m["low"])
        high = _float(m["high"]) if m["high"] else low
    except ValueError:
        return None
    if low != low or high != high or low > high:  # NaN never parses here, but a reversed range may
        return None
    unit = (m["unit"] or "").strip()
    return Quantity(low, high, normalise(unit).replace(" ", ""), unit, bound)


# Units of data, case-folded: their `b` is a bit and their `B` a byte (`Gb`, `GB`, `Gbps`, `GB/s`).
_DATA = re.compile(r"(?:[kmgtp]i?)?b(?:ps?|/s?)?")
_BYTES = frozenset({"kb", "mb", "gb", "tb", "pb", "kib", "mib", "gib", "tib", "pib"})


def _bits(unit: str) -> bool | None:
    """For a unit of data, whether it counts bits (`Gb`, `gigabit`) or bytes (`GB`, `gigabyte`);
    None for another unit, and for one with a prefix written all in small letters (`gb`: as
    typed without Shift, which may mean either; a lone `b` is a bit)."""
    folded = unit.casefold()
    if _DATA.fullmatch(folded) is None or (unit == folded and not folded.startswith("b")):
        return None
    return unit[folded.index("b")] == "b"


def _same_unit(typed: str, unit: str) -> bool:
    """`typed` is `unit` (case aside, but a bit is no byte: `Gb` is not `GB`), or its short
    form for a unit of bytes: `G` for GB, `Gi` for GiB (`M` alone is no unit; `G` is no `Gb`)."""
    a, b = typed.casefold(), unit.casefold()
    if a == b:
        bits, want = _bits(typed), _bits(unit)
        return bits is None or want is None or bits == want
    return b in _BYTES and a + "b" == b and _bits(unit) is not True


def _unit(unit: str, aliases: dict[str, str]) -> str:
    """The unit as written (case kept), spaces out, after the card's `aliases` and the names above."""
    written = "".join(unit.split())
    key = normalise(written).replace(" ", "")
    if key in aliases:
        written = "".join(aliases[key].split())
        key = normalise(written).replace(" ", "")
    # `5 minute` for `5 minutes`: a plural is the same unit (`ms`, two letters, stays as it is)
    if len(key) > 2 and key.endswith("s"):
        written, key = written[:-1], key[:-1]
    # `5 milliseconds` for `5 ms`, `2 GB` for `2 gigabytes`: a unit's name is the unit
    return _UNIT_NAMES.get(key, written)


def _unit_clash(typed: str, expected: str, aliases: dict[str, str]) -> bool:
    """Whether two answers that read alike as text name bits on one side and bytes on the other
    (`5 Gb` for `5 GB`): the text check folds case, which would take one for the other."""
    got, want = parse_quantity(without_asides(typed)), parse_quantity(expected)
    if got is None or want is None or not got.shown_unit or not want.shown_unit:
        return False
    return not _same_unit(_unit(got.shown_unit, aliases), _unit(want.shown_unit, aliases))


def check_number(answer: str, expected: str, accept: Sequence[str], spec: AnswerSpec) -> TypedCheck:
    text = check_text(answer, expected, accept)
    typed = " ".join(answer[:MAX_ANSWER].split())
    aliases = {normalise(k).replace(" ", ""): v for k, v in spec.aliases}
    if text.correct and not _unit_clash(typed, text.expected, aliases):
        return _numbered(text)
    want = parse_quantity(plain_answer(expected))
    got = parse_quantity(typed)
    aside = ""
    if "(" in typed:  # `5 ms (roughly)`: the learner's aside is not read (nor taken for the unit)
        bare = parse_quantity(without_asides(typed))
        if bare is not None:
            got, aside = bare, ASIDE_NOTE
    if got is None:
        return _missed(text, expected, accept, "not a number" if typed else "")
    low, high = spec.accept_range or ((want.low, want.high) if want else (float("nan"),) * 2)
    if spec.tolerance is not None:
        low, high = low - spec.tolerance, high + spec.tolerance
    shown_unit = _card_unit(want, accept, spec)
    unit = _unit(shown_unit, aliases)
    typed_unit = _unit(got.shown_unit, aliases)
    unit_ok = not typed_unit or not unit or _same_unit(typed_unit, unit)
    inside = low <= got.low and got.high <= high
    if inside and unit_ok and not got.bound:
        shown = plain_answer(expected)
        parts = char_diff(typed, shown, correct=True)
        return TypedCheck(
            typed, shown, True, similarity(typed, shown), parts[0], parts[1], 3, "number", note=aside
        )
    expect = _range_note(low, high, shown_unit)
    if inside and not unit_ok:
        note = f"unit: expected {shown_unit}, not {got.shown_unit}"
    elif got.bound and expect:
        note = f"{expect}; {got.bound!r} leaves the number out"
    else:
        note = expect
    return _missed(text, expected, accept, note)


def _card_unit(want: Quantity | None, accept: Sequence[str], spec: AnswerSpec) -> str:
    """The card's unit as written: the back's; for a card whose `accept_range` stands for a back
    that is no number (`twenty to fifty gigabytes`), the first accepted answer's that has one."""
    if want is not None or spec.accept_range is None:
        return want.shown_unit if want is not None else ""
    for text in accept[:MAX_TARGETS]:
        found = parse_quantity(plain_answer(text))
        if found is not None and found.shown_unit:
            return found.shown_unit
    return ""


def _missed(text: TypedCheck, expected: str, accept: Sequence[str], note: str) -> TypedCheck:
    """A wrong number, diffed against the card's own answer (numbers are never close, so never
    against the `accept` spelling the text check found nearest); `note` says what was expected."""
    shown = targets(expected, accept)[0]
    if shown == text.expected and not text.correct:
        return _numbered(text, note=note, rating=1)
    typed_parts, expected_parts = char_diff(text.answer, shown)
    score = similarity(normalise(text.answer), normalise(shown)) if text.answer else 0.0
    return TypedCheck(text.answer, shown, False, score, typed_parts, expected_parts, 1, "number", note=note)


def _fmt(x: float) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def _range_note(low: float, high: float, unit: str = "") -> str:
    """`expected 5 ms`, `expected 20 to 50 GB`: the unit too, so `0.005 s` is not told `expected 5`."""
    if low != low:  # no number to compare with
        return ""
    unit = f" {unit}" if unit else ""
    return f"expected {_fmt(low)}{unit}" if low == high else f"expected {_fmt(low)} to {_fmt(high)}{unit}"


def _numbered(check: TypedCheck, note: str = "", rating: int | None = None) -> TypedCheck:
    return TypedCheck(
        check.answer,
        check.expected,
        check.correct,
        check.similarity,
        check.typed_parts,
        check.expected_parts,
        check.suggested_rating if rating is None else rating,
        "number",
        note=note or check.note,
    )
