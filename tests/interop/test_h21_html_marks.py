"""h21: Anki's `<sup>`, `<sub>` and strikes (`<s>`, `<strike>`, `<del>`) keep their meaning in card
Markdown. Before the fix their tags were dropped: `10<sup>-3</sup> m` read "10-3 m", `E = mc<sup>2
</sup>` "E = mc2", `Ca<sup>2+</sup>` "Ca2+", and struck text read as plain text. Now superscripts
and subscripts are Unicode's where every character has one (10⁻³, mc², H₂O), else `^(...)` and
`_(...)`; a strike is Markdown's `~~...~~` where Markdown reads it as one. An unedited card still
goes back to Anki as its original HTML."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from retain.core.answer.shown import card_parser
from retain.interop.html import html_to_text, markdown_to_html, text_to_html
from retain.interop.importer import read_file

from .anki_fixture import ANKI_PYTHON, package_rows, run_anki
from .conftest import run_cli

needs_anki = pytest.mark.skipif(
    not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)"
)


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("10<sup>-3</sup> m", "10⁻³ m"),
        ("E = mc<sup>2</sup>", "E = mc²"),
        ("Ca<sup>2+</sup>", "Ca²⁺"),
        ("H<sub>2</sub>O", "H₂O"),
        ("x<sup>n+1</sup>", "xⁿ⁺¹"),
        ("a<sub>ij</sub>", "aᵢⱼ"),
        ("e<sup>iπ</sup>", "e^(iπ)"),  # no superscript π: written as plain-text maths writes it
        ("x<sup>q</sup>", "x^(q)"),
        ("x<sub>b</sub>", "x_(b)"),
        ("CO<sub>2 (g)</sub>", "CO_(2 (g))"),
        ("x<sup> 2 </sup>", "x²"),
        ("x<sup><b>2</b></sup>", "x^(**2**)"),
        ("x<sup>*</sup>", "x^(*)"),  # the star stays text (escaped, then not needed)
        ("a <s>gone</s> b", "a ~~gone~~ b"),
        ("a <strike>gone</strike>, <del>too</del>", "a ~~gone~~, ~~too~~"),
        ("<s>one</s><s>two</s>", "~~onetwo~~"),  # side by side: one strike
        ("<s>one</s><s> two</s>", "~~one~~ ~~two~~"),
        ("x<s> y </s>z", "x ~~y~~ z"),  # the spaces outside, where Markdown needs them
        ("a<s>(b)</s>c", "a(b)c"),  # Markdown would show the tildes: the strike is left out
        ("a~<s>b</s>", "a~b"),
        ("<s>a<s>b</s>c</s>", "~~abc~~"),
        ("<code>x<sup>2</sup> <s>y</s></code>", "`x2 y`"),  # code is literal
        ("<pre>x<sup>2</sup> <s>y</s></pre>", "```\nx² y\n```"),
        ("x<sup></sup>y", "xy"),
    ],
)
def test_marks_keep_their_meaning(field: str, text: str) -> None:
    assert html_to_text(field) == text


@pytest.mark.parametrize("typed", ["2^3 and x^(y)", "a ~ b ~~ c", "~~not struck~~", "H_(2)O", "a_b_c"])
def test_text_a_user_typed_is_escaped_as_before(typed: str) -> None:
    """`^` and `~` typed into Anki are text: escaped where Markdown would act on them, as before."""
    got = html_to_text(text_to_html(typed))
    assert re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", got) == typed
    assert _plain(_render(got)) == typed


def _render(markdown: str) -> str:
    return str(card_parser().render(markdown))


def _plain(rendered: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", rendered)).split())


def _script(text: str, tag: str) -> str:
    """The model: Unicode's superscripts (subscripts) of `_TEXT`'s characters, else `^(...)`."""
    base, sup, sub = "0123456789+-=()abz", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶻ", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐ"
    chars = sup if tag == "sup" else sub
    core = text.strip()
    if all(c in base[: len(chars)] for c in core):
        return "".join(chars[base.index(c)] for c in core)
    return f"{'^' if tag == 'sup' else '_'}({core})"


_TEXT = st.text(" abz12+-=()*_~^$#&<>`!|.", max_size=6)
_PIECE = st.one_of(
    st.tuples(st.just("text"), _TEXT),
    st.tuples(st.sampled_from(["sup", "sub", "s", "del"]), _TEXT),
)


@given(st.lists(_PIECE, max_size=6))
@example([("text", "a"), ("s", "(b)"), ("text", "c")])
@example([("text", "~"), ("s", "b")])
@example([("s", "a"), ("s", "b")])
@example([("text", "1."), ("sup", "2")])
@example([("sub", "*"), ("sub", "_")])
def test_a_field_shows_in_retain_as_anki_shows_it(pieces: list[tuple[str, str]]) -> None:
    """A field of text, superscripts, subscripts and strikes: retain's card shows its text with
    each superscript and subscript as `_script` writes it, and strikes only where the field has
    them (never a stray tilde, never a strike of text that had none)."""
    field = "".join(
        html.escape(t) if tag == "text" else f"<{tag}>{html.escape(t)}</{tag}>" for tag, t in pieces
    )
    markdown = html_to_text(field)
    assert "\ue012" not in markdown and "\ue013" not in markdown
    expected = ""
    struck: list[str] = []  # the struck runs: strikes side by side are one
    side_by_side = False
    for tag, t in pieces:
        if tag in ("sup", "sub") and t.strip():
            expected += _script(t, tag)
        else:
            expected += t
        if tag in ("s", "del"):
            if side_by_side:
                struck[-1] += t
            else:
                struck.append(t)
        side_by_side = tag in ("s", "del") or (side_by_side and not t)
    rendered = _render(markdown)
    assert _plain(rendered) == " ".join(expected.split())
    strikes = [_plain(s) for s in re.findall(r"<s>(.*?)</s>", rendered)]
    assert all(any(s in " ".join(run.split()) for run in struck) for s in strikes), (strikes, struck)


_WORD = st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True)


@given(st.lists(st.tuples(_WORD, st.booleans()), min_size=1, max_size=6))
def test_retains_strikes_come_back_from_anki_html(words: list[tuple[str, bool]]) -> None:
    """A card's `~~struck~~` words, exported as Anki HTML (`<s>`), read back as they were written."""
    text = " ".join(f"~~{w}~~" if struck else w for w, struck in words)
    assert html_to_text(markdown_to_html(text)) == text


@given(st.text(max_size=40), st.sampled_from(["sup", "sub", "s", "strike", "del"]), st.integers(0, 40))
def test_any_field_with_marks_converts(text: str, tag: str, at: int) -> None:
    """No field, however its tags are left open, nested or broken, stops the conversion."""
    at = min(at, len(text))
    html_to_text(f"{text[:at]}<{tag}>{text[at:]}")
    html_to_text(f"<{tag}>{text[:at]}</{tag}>{text[at:]}</{tag}>")
    html_to_text(f"<table><tr><td><{tag}>{text[:at]}</td><td>{text[at:]}</{tag}></td></tr></table>")


ANKI = r"""
import json, sys
from anki.collection import Collection, ExportAnkiPackageOptions
col = Collection(sys.argv[1])
basic = col.models.by_name("Basic"); did = col.decks.id("Units")
for front, back in json.loads(sys.argv[3]):
    n = col.new_note(basic); n["Front"] = front; n["Back"] = back; col.add_note(n, did)
col.export_anki_package(out_path=sys.argv[2],
    options=ExportAnkiPackageOptions(with_scheduling=False, with_media=False, legacy=False), limit=None)
"""
NOTES = [
    ["What is 1 mm in metres?", "10<sup>-3</sup> m"],
    ["Mass-energy equivalence", "E = mc<sup>2</sup>"],
    ["Ion in bone", "Ca<sup>2+</sup>"],
    ["Water", "H<sub>2</sub>O, not <s>HO<sub>2</sub></s>"],
]


@needs_anki
def test_an_anki_deck_reads_its_marks_and_goes_back_as_it_came(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = tmp_path / "units.apkg"
    run_anki(tmp_path, ANKI, str(tmp_path / "c.anki2"), str(package), json.dumps(NOTES))
    stage = tmp_path / "stage"
    stage.mkdir()
    (deck,) = read_file(package, stage).decks
    assert sorted(c.back for c in deck.cards) == sorted(["10⁻³ m", "E = mc²", "Ca²⁺", "H₂O, not ~~HO₂~~"])
    assert run_cli(capsys, "import", str(package))[0] == 0
    out = tmp_path / "out.apkg"
    assert run_cli(capsys, "export", "units", "-o", str(out))[0] == 0
    rows = package_rows(out, tmp_path, "SELECT flds FROM notes")
    assert sorted(str(r[0]).split("\x1f") for r in rows) == sorted(NOTES)  # Anki's own HTML
