"""MathJax as real Anki decks write it, shown as Unicode on the study screen.

Anki renders MathJax (with its mhchem extension); the fractions, binomials,
decorations and symbols below are common in shared decks. Each either shows what
it means or (`MathError`) its source: never a wrong expression, such as a
fraction whose operands the parser did not know it had (`\\dfrac{1}{3}` shown as
`/13`) or a bar dropped (`\\overline{x}`, the complex conjugate, shown as `x`).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.latexunicode import MathError, to_unicode
from retain.core.mathtext import escape_markdown, render_math


@pytest.mark.parametrize(
    ("latex", "shown"),
    [
        # fractions and binomials whose arguments the parser did not know: `/13` before
        (r"\dfrac{1}{3}", "1/3"),
        (r"\tfrac13", "1/3"),
        (r"\cfrac{a}{b+c}", "a/(b+c)"),
        (r"\int_0^1 x^2\,dx = \tfrac13", "∫₀¹ x² dx = 1/3"),
        (r"\binom{n}{k}", "C(n, k)"),
        (r"\tbinom{n}{2}", "C(n, 2)"),
        (r"\dbinom nk", "C(n, k)"),
        # decorations kept, not dropped
        (r"\overline{z}", "z̅"),
        (r"\overline{AB}", "A̅B̅"),
        (r"\underline{x}", "x̲"),
        (r"\overrightarrow{AB}", "A⃗B⃗"),
        (r"\mathring{A}", "Å"),
        (r"\cancel{x}", "x̶"),
        (r"\boxed{x = 2}", "[x = 2]"),
        # operators and relations MathJax knows
        (r"\operatorname{sgn} x", "sgn x"),
        (r"\operatorname*{argmax}_x f", "argmaxₓ f"),
        (r"\deg p + \det A + \gcd(a, b)", "deg p + det A + gcd(a, b)"),
        (r"\ker f \cup \dim V", "ker f ∪ dim V"),
        (r"a \equiv b \pmod{n}", "a ≡ b (mod n)"),
        (r"a \bmod n", "a mod n"),
        (r"90^\circ", "90°"),
        (r"90^{\circ}", "90°"),
        (r"a \ne b", "a ≠ b"),
        (r"p \implies q \iff r", "p ⟹ q ⟺ r"),
        (r"\neg p \land q \lor r", "¬p ∧ q ∨ r"),
        (r"\Re z + \Im z", "ℜz + ℑz"),
        (r"x \gets 0", "x ← 0"),
        (r"\|v\|", "‖v‖"),
        (r"\overset{?}{=}", "=^?"),
        (r"\stackrel{\text{def}}{=}", "=ᵈᵉᶠ"),
        (r"\overset{!}{=}", "=^!"),
        (r"\underset{x}{\min}", "minₓ"),
        (r"A \xrightarrow{f} B", "A →ᶠ B"),
        (r"\color{red}{x} + \color{blue} y", "x + y"),
        (r"\bm{v} \cdot \boldsymbol{w}", "v · w"),
        # chemistry (mhchem, part of Anki's MathJax)
        (r"\ce{H2O}", "H₂O"),
        (r"\ce{2H2 + O2 -> 2H2O}", "2H₂ + O₂ → 2H₂O"),
        (r"\ce{N2 + 3H2 <=> 2NH3}", "N₂ + 3H₂ ⇌ 2NH₃"),
        (r"\ce{SO4^2-}", "SO₄²⁻"),
        (r"\ce{Na+}", "Na⁺"),
        (r"\ce{Ca(OH)2}", "Ca(OH)₂"),
        (r"\ce{CuSO4.5H2O}", "CuSO₄·5H₂O"),
        (r"\pu{9.81 m/s^2}", "9.81 m/s²"),
    ],
)
def test_mathjax_from_anki_decks_shows_what_it_means(latex: str, shown: str) -> None:
    assert to_unicode(latex) == shown


def test_a_fraction_in_a_card_shows_its_operands() -> None:
    assert render_math(r"$\dfrac{a}{b}$") == escape_markdown("a/b")


# Fractions and binomials: whatever the operands, both are shown, never the bare operator
# (what a parse without the arguments gave: `/13`).
_TWO = ["frac", "dfrac", "tfrac", "cfrac", "binom", "tbinom", "dbinom"]


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(_TWO),
    st.text(alphabet="abcxyz0123", min_size=1, max_size=4),
    st.text(alphabet="abcxyz0123", min_size=1, max_size=4),
)
def test_two_argument_macros_keep_both_operands(name: str, a: str, b: str) -> None:
    shown = to_unicode(f"\\{name}{{{a}}}{{{b}}}")
    assert not shown.startswith("/")
    assert a in shown and b in shown


@pytest.mark.parametrize("bad", [r"\ce{\frac{1}{2}}", r"\ce{A $ B}", r"\binom{n}", r"\pmod"])
def test_what_cannot_be_shown_faithfully_is_shown_as_source(bad: str) -> None:
    with pytest.raises(MathError):
        to_unicode(bad)
