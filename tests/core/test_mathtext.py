"""Math in card text: `$...$` and `$$...$$` as Unicode, source when conversion fails, clozes inside math."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.cloze import render_back, render_front
from retain.core.latexunicode import MathError, to_unicode
from retain.core.mathtext import escape_markdown, render_math


def unescape(md: str) -> str:
    """What the escaped Markdown shows (backslash escapes removed)."""
    out, i = [], 0
    while i < len(md):
        if md[i] == "\\" and i + 1 < len(md):
            out.append(md[i + 1])
            i += 2
        else:
            out.append(md[i])
            i += 1
    return "".join(out)


@pytest.mark.parametrize(
    ("latex", "shown"),
    [
        (r"\Gamma", "Γ"),
        (r"\langle a, b \rangle", "⟨a, b⟩"),
        (r"\frac{1}{72}", "1/72"),
        (r"\frac{a+b}{c}", "(a+b)/c"),
        (r"x^2 + y_1", "x² + y₁"),
        (r"2^{32}", "2³²"),
        (r"e^{i\pi}", "e^(iπ)"),
        (r"\sqrt{2}", "√2"),
        (r"\alpha \to \infty", "α → ∞"),
        (r"a \leq b \neq c", "a ≤ b ≠ c"),
        (r"\mathbb{R}", "ℝ"),
        (r"\mathrm{O}(n \log n)", "O(n log n)"),
        (r"\left( \frac{a}{b} \right)", "(a/b)"),
        (r"\text{if } x > 0", "if x > 0"),
        (r"\sum_{i=1}^n i^2", "∑ᵢ₌₁ⁿ i²"),
    ],
)
def test_latex_to_unicode(latex: str, shown: str) -> None:
    assert to_unicode(latex) == shown


@pytest.mark.parametrize("bad", [r"\frac{1", "a}b", r"\nosuchmacro{x}", "{" * 800 + "}" * 800, "x" * 5000])
def test_unconvertible_math_raises(bad: str) -> None:
    with pytest.raises(MathError):
        to_unicode(bad)


def test_inline_math_is_rendered_in_place() -> None:
    out = render_math(r"Is $\Gamma(n) = (n-1)!$ for integer $n$? Also $\frac{1}{72}$.")
    assert unescape(out) == "Is Γ(n) = (n-1)! for integer n? Also 1/72."


def test_failed_conversion_shows_the_source() -> None:
    assert unescape(render_math(r"bad $\frac{1$ here")) == r"bad $\frac{1$ here"
    assert unescape(render_math(r"odd $\nosuch{x}$")) == r"odd $\nosuch{x}$"


def test_display_math_is_on_its_own_lines() -> None:
    out = render_math(r"Before $$\langle a, b \rangle$$ after")
    assert unescape(out).split("\n") == ["Before", "⟨a, b⟩", "after"]


@pytest.mark.parametrize(
    "text",
    [
        "echo $HOME and $PATH",
        "costs $5 or $10",
        "from $5-$10",
        "run `echo $a$` now",
        "```sh\nexport A=$x$\n```",
        r"a \$5$ b",
        "$ spaced $",
        "$a\n\nb$",
    ],
)
def test_text_that_is_not_math_is_left_alone(text: str) -> None:
    assert render_math(text) == text


def test_converted_text_never_becomes_markdown_emphasis() -> None:
    assert render_math("$a*b*c$") == r"a\*b\*c"
    assert render_math("$x_1 + y_2$") == "x₁ \\+ y₂"


def test_cloze_inside_math_hides_the_rendered_symbol() -> None:
    text = r"The symbol $${{c1::\Gamma}}(x)$$ and $e^{i\pi} = {{c2::-1}}$"
    front1 = unescape(render_math(render_front(text, 1)))
    assert "Γ" not in front1 and "[...]" in front1 and "\\Gamma" not in front1
    back1 = render_math(render_back(text, 1))
    assert "**Γ**" in back1  # bold survives the conversion
    front2 = unescape(render_math(render_front(text, 2)))
    assert "-1" not in front2 and "[...]" in front2 and "Γ(x)" in front2
    assert "e^(iπ) = [...]" in front2


def test_cloze_answer_inside_a_fraction_stays_bold() -> None:
    assert render_math(render_back(r"$\frac{1}{ {{c1::72}} }$", 1)) == "1\\/**72**"


def test_hostile_math_is_bounded_and_never_raises() -> None:
    hostile = "$x " * 20_000 + "$$" + "{" * 3000 + "$$" + " $\\frac{" * 2000
    start = time.perf_counter()
    render_math(hostile)
    assert time.perf_counter() - start < 5.0  # a generous bound: linear scanning, capped expressions


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("$\\{}^_ab1 `*\n")), max_size=60))
def test_render_math_never_raises_and_leaves_dollar_free_text(text: str) -> None:
    out = render_math(text)
    if "$" not in text:
        assert out == text


@given(st.text(max_size=40))
def test_escape_markdown_round_trips(text: str) -> None:
    assert unescape(escape_markdown(text)) == text


def test_math_heavy_card_renders_within_a_fixed_budget() -> None:
    """200 expressions of 2,000 characters took 4 s on each draw; past `MAX_MATH_CHARS` math stays source."""
    render_math("$x^2$")  # the parser's import
    src = ("\\alpha^{\\beta_{x}} + \\frac{a}{b} " * 60)[:1990].strip()
    text = "\n".join(f"${i}{src}$" for i in range(200))
    start = time.thread_time()
    shown = render_math(text)
    assert time.thread_time() - start < 1.0
    assert shown.startswith("0α") and "$199\\alpha" in shown  # the first converted, the last source
