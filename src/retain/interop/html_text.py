"""The text of an Anki field as Markdown that shows it as Anki does (`interop.html`'s converter
writes each piece of text through `text_markdown`): math as retain's `$`, `[sound:...]` as a
placeholder, and everything else escaped where Markdown would act on it (`escape_markdown`;
`interop.html` drops the escapes again where the text renders the same without them). Also the
text marks the converter writes: code spans, `<sup>`/`<sub>` as Unicode's superscripts and
subscripts (or `^(...)`/`_(...)`), and strikes as Markdown's `~~` where Markdown reads them so.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from retain.interop.html_media import SOUND_RE, MediaFn, sound_shown

__all__ = [
    "EDGE_UNDERSCORE",
    "LEAD",
    "LEAD_CHARS",
    "STRIKE_CLOSE",
    "STRIKE_OPEN",
    "as_is",
    "code_span",
    "escape_markdown",
    "holds_marks",
    "struck",
    "subscript",
    "superscript",
    "text_markdown",
]

# MathJax as Anki writes it (`\\(...\\)`, `\\[...\\]`), Anki's `[$]...[/$]` / `[$$]...[/$$]`, and a
# `[latex]` block holding `$` math: (opener, closer, retain's delimiter; "" keeps the inside as it is).
_MATH = (
    ("\\(", "\\)", "$"),
    ("\\[", "\\]", "$$"),
    ("[$]", "[/$]", "$"),
    ("[$$]", "[/$$]", "$$"),
    ("[latex]", "[/latex]", ""),
)
# Characters Markdown would act on in Anki's plain text: escaped so the card shows them as Anki does.
EDGE_UNDERSCORE = r"(?<![^\W_])_|_(?![^\W_])"  # an `_` at a word's edge: emphasis may open or close there
# A run of tildes strikes (every one escaped: `\~~~` is `~` then a strike's `~~`); a lone tilde at a
# text's edge may meet one in the text beside it (`~` text, a tag, `~~`: a fence or a strike), as
# the text's pieces are escaped one by one. So may what follows a `]` (a link's `(url)`, `[ref]`,
# a definition's `:`), an `&` (an entity: `&am` then `p;`) or a `<` (an autolink, `<scheme:...>`
# or `<user@host>`, which holds no space, control character, `<` or `>`: raw HTML is text to
# retain's Markdown): each is escaped when its text ends where Markdown would act on it.
_INLINE_SYNTAX = re.compile(
    r"[\\`*$]|~~+|\A~|~\Z|\](?=[(\[:]|\Z)|&(?=#?\w+;|#?\w*+\Z)|<(?=[^<>\x00-\x20]*+(?:>|\Z))|"
    + EDGE_UNDERSCORE
)
LEAD = re.compile(r"[ \t\d]*")  # a line's start that a block marker may follow (`1` of `1.`)
LEAD_CHARS = 16
# (a line of `-` and spaces is a rule: `--- -`; of `-`, `|`, `:` and spaces with a `-` a table's
# delimiter row, `--|:-`, which makes the line above it a table's header)
_LINE_START = re.compile(
    r"^(\s*(?:\d{1,9})?)([.)](?=\s|$)|#|>|[-+*=](?=\s|$|[-=]*\s*$)|-(?=[-|:\s]*$)|[|:](?=[|:\s]*-[-|:\s]*$))"
)


# Superscript and subscript characters Unicode has (and fonts show): a <sup>/<sub> whose every
# character has one is written with them (`10<sup>-3</sup>` as 10⁻³, `H<sub>2</sub>O` as H₂O).
_SUPERSCRIPT = dict(
    zip(
        "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ",
        strict=True,
    )
)
_SUBSCRIPT = dict(zip("0123456789+-−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # a Markdown escape: the character it stands for


def superscript(inner: str, plain: Callable[[str, bool], str]) -> str:
    """`<sup>` text (Markdown already) as plain text that keeps its meaning: `10<sup>-3</sup>` is
    10⁻³ (not 10-3), `mc<sup>2</sup>` mc². Unicode has superscripts for digits, `+ - = ( )` and
    most letters; when any character has none (`e<sup>iπ</sup>`), the text is written `^(iπ)`, as
    plain-text mathematics writes it: Markdown has no superscript, and retain's card parser
    leaves `^` and parentheses alone (the markers go through `plain`, as any text does)."""
    return _scripted(inner, _SUPERSCRIPT, "^(", plain)


def subscript(inner: str, plain: Callable[[str, bool], str]) -> str:
    """`<sub>` text as plain text: `H<sub>2</sub>O` is H₂O; text Unicode has no subscripts for
    (`T<sub>cold</sub>`: none for c or d) is written `_(cold)` (see `superscript`)."""
    return _scripted(inner, _SUBSCRIPT, "_(", plain)


def _scripted(inner: str, table: dict[str, str], opener: str, plain: Callable[[str, bool], str]) -> str:
    bare = _ESCAPED.sub(r"\1", inner.strip())
    if all(c in table for c in bare):
        return "".join(table[c] for c in bare)
    return plain(opener, False) + inner.strip() + ")"


# A strike while the field is converted: private-use marks, written as `~~` once the text around
# them is known (`struck`); the HTML parser leaves them alone.
STRIKE_OPEN, STRIKE_CLOSE = "\ue012", "\ue013"
_STRIKE = re.compile("\ue012([^\ue012\ue013]*)\ue013")


def holds_marks(value: str, marks: tuple[str, ...]) -> bool:
    """Whether a field holds the private marks itself, as characters or character references
    (its strikes are then not written, its quotations' `>` written as they are: the marks would be
    taken for them)."""
    return any(m in value for m in marks) or ("&#" in value and any(m in html.unescape(value) for m in marks))


def struck(text: str) -> str:
    """`text` with each marked strike as Markdown `~~...~~` where Markdown reads it so (CommonMark's
    flanking rule, as markdown-it applies it: `a~~(b)~~c` is no strike; a tilde next to one makes a
    longer run), else as plain text (as before: the strike is lost, never its text). Strikes side
    by side are one."""
    text = text.replace(STRIKE_CLOSE + STRIKE_OPEN, "")
    if STRIKE_OPEN not in text:
        return text
    from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace

    def punct(c: str) -> bool:
        return isMdAsciiPunct(ord(c)) or isPunctChar(c)

    def one(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else " "
        after = text[m.end()] if m.end() < len(text) else " "
        core = m[1]
        if not core or "~" in (before, after, core[0], core[-1]):
            return core
        opens = not punct(core[0]) or isWhiteSpace(ord(before)) or punct(before)
        closes = not punct(core[-1]) or isWhiteSpace(ord(after)) or punct(after)
        return f"~~{core}~~" if opens and closes else core

    return _STRIKE.sub(one, text).replace(STRIKE_OPEN, "").replace(STRIKE_CLOSE, "")


def code_span(code: str) -> str:
    """`code` as a Markdown code span: fenced by one backtick more than its longest run of them,
    with a space inside the fence when it starts or ends with one (`` `date` ``)."""
    if not code:
        return ""
    longest = max((len(run) for run in re.findall("`+", code)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{fence}{pad}{code}{pad}{fence}"


def text_markdown(data: str, media: MediaFn | None, lead: str | None, table: bool, escape: bool) -> str:
    """Plain text of an Anki field as Markdown that shows it as Anki does: math as retain's `$`,
    `[sound:...]` as a placeholder (never the file name, which often holds the answer, as `<img>`
    becomes [image]), and everything else escaped where Markdown would act on it. `lead`: the
    line's text before it, when a block marker could begin there (`_Converter._line_lead`)."""
    out: list[str] = []
    pos = 0
    plain = escape_markdown if escape else as_is
    for begin, end, shown in _specials(data, media):
        if begin >= pos:
            out.append(plain(data[pos:begin], table))
            out.append(shown)
            pos = end
    out.append(plain(data[pos:], table))
    text = "".join(out)
    if lead is None or not escape:
        return text
    m = _LINE_START.match(lead + text)
    if m is None or m.start(2) < len(lead):
        return text
    at = m.start(2) - len(lead)
    return f"{text[:at]}\\{text[at:]}"


def as_is(text: str, table: bool) -> str:
    return text


def _specials(data: str, media: MediaFn | None) -> list[tuple[int, int, str]]:
    """(start, end, Markdown) of each math span and `[sound:...]` in `data`, in order (they may
    overlap: the caller takes the first). Linear: an opener with no closer after it ends its kind."""
    found: list[tuple[int, int, str]] = []
    for opener, closer, delim in _MATH:
        i = data.find(opener)
        while i >= 0:
            j = data.find(closer, i + len(opener))
            if j < 0:
                break
            inner = data[i + len(opener) : j].strip()
            if inner and (delim or inner.startswith("$")):
                found.append((i, j + len(closer), f"{delim}{inner}{delim}"))
            i = data.find(opener, j + len(closer))
    for m in SOUND_RE.finditer(data):
        found.append((m.start(), m.end(), sound_shown(m[1], media)))
    return sorted(found)


def _escaped(m: re.Match[str]) -> str:
    return "\\" + m[0] if len(m[0]) == 1 or m[0][0] != "~" else "\\~" * len(m[0])


def escape_markdown(text: str, table: bool) -> str:
    text = _INLINE_SYNTAX.sub(_escaped, text)
    return text.replace("|", "\\|") if table else text
