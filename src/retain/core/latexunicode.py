"""One LaTeX math expression as Unicode text: `\\Gamma` -> Γ, `\\frac{1}{72}` -> 1/72, `x^{2}` -> x².

The expression is parsed strictly by `pylatexenc` (a maintained LaTeX parser);
its symbol table gives the macros' characters. On top of it this module writes
fractions as `a/b` (operands with operators in brackets), roots as `√x`,
sub- and superscripts as Unicode sub/superscript characters where every
character has one (else `^(…)`), and drops `\\left`/`\\right` and spacing
around delimiters. MathJax's macros that pylatexenc does not know (Anki renders
cards with MathJax) are added: fractions and binomials (`\\dfrac`, `\\binom`: without
their arguments `\\dfrac{1}{3}` showed `/13`), decorations as combining characters
(`\\overline{z}` is z̅, not z), `\\operatorname`, `\\pmod`, `\\overset`, common symbols,
and mhchem's `\\ce{H2O}` (H₂O) for plain formulas and equations. `to_unicode`
raises `MathError` for anything it cannot convert faithfully (a parse error, an
unknown macro): the caller shows the source instead.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

__all__ = ["MAX_MATH", "MathError", "to_unicode"]

MAX_MATH = 2000  # characters of one expression; longer ones are shown as source

_SUP = dict(
    zip(
        "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθιφχ",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᶥᵠᵡ",
        strict=True,
    )
)
_SUP.update({"*": "*", "'": "′", "′": "′", "∗": "*", "−": "⁻", "T": "ᵀ", "∘": "°"})  # 90^\\circ: 90°
_SUB = dict(
    zip("0123456789+-=()aehijklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ", strict=True)
)
_SUB["−"] = "₋"

_NOTHING = frozenset(
    {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr"}
    | {"Biggl", "Biggr", "displaystyle", "textstyle", "scriptstyle", "limits", "nolimits", "middle"}
)
_AS_IS = frozenset(
    {"text", "textrm", "textnormal", "mathrm", "mathit", "mathbf", "mathsf", "mathtt", "boldsymbol"}
    | {"operatorname", "mbox", "textbf", "textit", "emph", "bm", "mathnormal", "textsf", "texttt"}
    | {"pmb", "hbox", "mathop", "mathbin", "mathrel", "mathord", "mathopen", "mathclose", "mathpunct"}
    | {"substack", "textup"}
)
_FRACS = frozenset({"frac", "dfrac", "tfrac", "cfrac"})
_BINOMS = frozenset({"binom", "tbinom", "dbinom"})
# Arguments of MathJax macros that pylatexenc's parser does not know (it parsed them as taking
# none, and their arguments as the text after them: `\\dfrac{1}{3}` was `/13`).
_ARGSPECS = {
    **dict.fromkeys(("dfrac", "tfrac", "binom", "tbinom", "dbinom", "overset", "underset"), "{{"),
    **dict.fromkeys(("stackrel",), "{{"),
    "cfrac": "[{{",
    "operatorname": "*{",
    "tag": "*{",
    **dict.fromkeys(("boxed", "fbox", "cancel", "bcancel", "xcancel", "sout", "mathring", "pmod"), "{"),
    **dict.fromkeys(("pod", "ce", "pu", "bm", "boldsymbol", "pmb", "phantom", "hbox", "substack"), "{"),
    **dict.fromkeys(("mathop", "mathbin", "mathrel", "mathord", "mathopen", "mathclose"), "{"),
    "mathpunct": "{",
}
# A combining character put on every character of the argument.
_COMBINING = {
    "overline": "\u0305",
    "underline": "\u0332",
    "overrightarrow": "\u20d7",
    "overleftarrow": "\u20d6",
    "mathring": "\u030a",
    "cancel": "\u0336",
    "bcancel": "\u0336",
    "xcancel": "\u0336",
    "sout": "\u0336",
}
# Symbols MathJax knows and pylatexenc does not; the prefix ones take no space after them.
_SYMBOLS = {
    "ne": "≠",
    "implies": "⟹",
    "impliedby": "⟸",
    "iff": "⟺",
    "land": "∧",
    "lor": "∨",
    "gets": "←",
    "bot": "⊥",
    "models": "⊨",
    "checkmark": "✓",
    "degree": "°",
    "triangle": "△",
    "leadsto": "⇝",
    "coloneqq": "≔",
    "ddag": "‡",
    "|": "‖",
    "lang": "⟨",
    "rang": "⟩",
    "llbracket": "⟦",
    "rrbracket": "⟧",
    "cdotp": "·",
    "colon": ":",
    "imath": "ı",
    "jmath": "ȷ",
    "bmod": "mod",
    **{
        name: name
        for name in ("deg", "det", "dim", "gcd", "hom", "ker", "lg", "Pr", "sec", "csc", "cot", "arg")
    },
}
_PREFIX = {"neg": "¬", "Re": "ℜ", "Im": "ℑ"}
_DROPPED = frozenset({"color", "phantom", "hphantom", "vphantom", "label"})
_OPENERS = frozenset("⟨([{⌊⌈")
_CLOSERS = frozenset("⟩)]}⌋⌉")
_SIMPLE = frozenset("0123456789.")


class MathError(ValueError):
    """The expression cannot be converted; show its source. Its message is one line of at most
    200 characters, whatever it quotes (a macro name can end in a newline: `\\` then a line end)."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split())[:200])


def _bracket(text: str) -> str:
    """An operand of `/` or `^(…)`: bracketed unless one number or one symbol/word."""
    t = text.strip()
    bare = t.replace("\ue000", "").replace("\ue001", "")  # a cloze answer's bold marks (`core.mathtext`)
    if len(bare) <= 1 or set(bare) <= _SIMPLE:
        return t
    for a, b in ("()", "[]"):
        if t[0] == a and t[-1] == b and t.count(a) == 1:
            return t
    return f"({t})"


def _script(text: str, table: dict[str, str], mark: str) -> str:
    t = text.strip()
    if t and all(c in table for c in t):
        return "".join(table[c] for c in t)
    return f"{mark}{_bracket(t)}"


class _Converter:
    def __init__(self) -> None:
        from pylatexenc.latex2text import LatexNodes2Text, get_default_latex_context_db
        from pylatexenc.latexwalker import get_default_latex_context_db as walker_db
        from pylatexenc.macrospec import MacroSpec

        self.db = get_default_latex_context_db()
        self.l2t = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)
        self.walker_db = walker_db()
        self.walker_db.add_context_category(
            "retain-mathjax", macros=[MacroSpec(n, spec) for n, spec in _ARGSPECS.items()], prepend=True
        )

    def nodes(self, nodelist: list[Any] | None) -> str:
        atoms: list[str] = []
        for node in nodelist or []:
            atoms.extend(self.atoms(node))
        out: list[str] = []
        i = 0
        while i < len(atoms):
            a = atoms[i]
            if a in ("^", "_") and i + 1 < len(atoms):
                j = i + 1
                while j < len(atoms) - 1 and atoms[j] == " ":
                    j += 1
                nxt = atoms[j]
                out.append(_script(nxt, _SUP, "^") if a == "^" else _script(nxt, _SUB, "_"))
                i = j + 1
                continue
            if a and a[0] in _CLOSERS:
                while out and out[-1] == " ":
                    out.pop()
            if a == " " and out and out[-1] and out[-1][-1] in _OPENERS:
                i += 1
                continue
            out.append(a)
            i += 1
        return "".join(out)

    def atoms(self, node: Any) -> list[str]:
        from pylatexenc import latexwalker as lw

        if node is None or isinstance(node, lw.LatexCommentNode):
            return []
        if isinstance(node, lw.LatexCharsNode):
            return list(node.chars)
        if isinstance(node, lw.LatexGroupNode | lw.LatexMathNode):
            return [self.nodes(node.nodelist)]
        if isinstance(node, lw.LatexMacroNode):
            return self.macro(node)
        if isinstance(node, lw.LatexSpecialsNode | lw.LatexEnvironmentNode):
            return [str(self.l2t.nodelist_to_text([node]))]
        raise MathError(f"cannot convert {type(node).__name__}")

    def arg(self, node: Any, i: int) -> str:
        args = node.nodeargd.argnlist if node.nodeargd is not None else []
        return self.nodes([args[i]]) if i < len(args) and args[i] is not None else ""

    def last(self, node: Any, count: int) -> list[str]:
        """The text of the node's last `count` arguments; `MathError` when one is missing."""
        args = node.nodeargd.argnlist if node.nodeargd is not None else []
        if len(args) < count or any(a is None for a in args[len(args) - count :]):
            raise MathError(f"\\{node.macroname} without its arguments")
        return [self.nodes([a]) for a in args[len(args) - count :]]

    def raw_arg(self, node: Any) -> str:
        """The source of the node's last argument, without its braces (`\\ce{...}` is not LaTeX)."""
        args = node.nodeargd.argnlist if node.nodeargd is not None else []
        if not args or args[-1] is None:
            raise MathError(f"\\{node.macroname} without its argument")
        raw = str(args[-1].latex_verbatim())
        return raw[1:-1] if raw.startswith("{") and raw.endswith("}") else raw

    def macro(self, node: Any) -> list[str]:
        name = str(node.macroname)
        space = [" "] if node.macro_post_space else []
        if name in _NOTHING:
            return []
        if name in _FRACS:
            top, bottom = self.last(node, 2)
            return [f"{_bracket(top)}/{_bracket(bottom)}"]
        if name in _BINOMS:
            n, k = self.last(node, 2)
            return [f"C({n.strip()}, {k.strip()})"]
        if name in _COMBINING:
            (body,) = self.last(node, 1)
            mark = _COMBINING[name]
            return [unicodedata.normalize("NFC", "".join(c + mark if not c.isspace() else c for c in body))]
        if name in ("overset", "stackrel", "underset"):
            over, base = self.last(node, 2)
            table, sign = (_SUB, "_") if name == "underset" else (_SUP, "^")
            return [base.strip() + _script(over, table, sign)]
        if name in ("xrightarrow", "xleftarrow"):
            (over,) = self.last(node, 1)
            return [("→" if name == "xrightarrow" else "←") + _script(over, _SUP, "^")]
        if name in ("boxed", "fbox"):
            return [f"[{self.last(node, 1)[0].strip()}]"]
        if name in ("pmod", "pod"):
            inner = self.last(node, 1)[0].strip()
            return [f"(mod {inner})" if name == "pmod" else f"({inner})"]
        if name == "tag":
            return [f" ({self.last(node, 1)[0].strip()})"]
        if name in ("ce", "pu"):
            return [_chemistry(self.raw_arg(node), formulas=name == "ce"), *space]
        if name in _DROPPED:
            return []
        if name in _SYMBOLS:
            return [_SYMBOLS[name], *space]
        if name in _PREFIX:
            return [_PREFIX[name]]
        if name == "sqrt":
            args = node.nodeargd.argnlist if node.nodeargd is not None else []
            root = _script(self.nodes([args[0]]), _SUP, "") if args and args[0] is not None else ""
            return [f"{root}√{_bracket(self.arg(node, len(args) - 1))}"]
        if name in _AS_IS:
            return [self.arg(node, len(node.nodeargd.argnlist) - 1 if node.nodeargd else 0)]
        spec = self.db.get_macro_spec(name)
        if spec is None or spec.macroname != name:
            raise MathError(f"unknown macro \\{name}")
        repl = spec.simplify_repl
        if isinstance(repl, str) and "%" not in repl:
            if repl and repl[-1] in _OPENERS:
                space = []
            return [repl, *space]
        return [str(self.l2t.nodelist_to_text([node])), *space]


_CHEM_ARROWS = (("<=>", "⇌"), ("<->", "↔"), ("->", "→"), ("<-", "←"))
_CHEM_TEXT = re.compile(r"[A-Za-z0-9()\[\] +\-^_{}.,*=<>/'·]*")
_CHEM_SCRIPT = re.compile(r"\{([^{}]*)\}|([0-9]*[+\-]?)")


def _chemistry(text: str, *, formulas: bool) -> str:
    """mhchem's `\\ce{...}` (`formulas`: a digit after an element or a bracket is a subscript, a
    charge at a formula's end a superscript) or `\\pu{...}` (units: only `^` and `_`) as Unicode.
    Anything else mhchem reads (LaTeX inside, states of matter, bonds) raises `MathError`."""
    if not _CHEM_TEXT.fullmatch(text):
        raise MathError("mhchem text retain cannot convert")
    out: list[str] = []
    i, size = 0, len(text)
    while i < size:
        arrow = next(((a, shown) for a, shown in _CHEM_ARROWS if text.startswith(a, i)), None)
        if arrow is not None:
            out.append(arrow[1])
            i += len(arrow[0])
            continue
        c = text[i]
        before = text[i - 1] if i else " "
        if c in "^_":
            m = _CHEM_SCRIPT.match(text, i + 1)
            body = (m[1] if m[1] is not None else m[2]) if m else ""
            if not body:
                raise MathError(f"mhchem {c} without a script")
            out.append(_script(body, _SUP if c == "^" else _SUB, c))
            i = m.end() if m else i + 1
            continue
        if formulas and c.isdigit() and (before.isalpha() or before in ")]"):
            j = i
            while j < size and text[j].isdigit():
                j += 1
            out.append("".join(_SUB[d] for d in text[i:j]))
            i = j
            continue
        after = text[i + 1 : i + 2]
        if formulas and c in "+-" and (before.isalnum() or before in ")]") and after in ("", " "):
            out.append(_SUP[c])  # a charge: `Na+`, `Cl-`
            i += 1
            continue
        if formulas and c in ".*" and (before.isalnum() or before in ")]") and after.isalnum():
            out.append("·")  # a hydrate's dot: `CuSO4.5H2O`
            i += 1
            continue
        if c in "{}":
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


@lru_cache(maxsize=1)
def _converter() -> _Converter:
    return _Converter()


@lru_cache(maxsize=1024)
def to_unicode(source: str) -> str:
    """The Unicode text of one math expression (without its `$` delimiters); `MathError` if it cannot."""
    if len(source) > MAX_MATH:
        raise MathError("expression too long")
    from pylatexenc.latexwalker import LatexWalker

    try:
        converter = _converter()
        walker = LatexWalker(source, latex_context=converter.walker_db, tolerant_parsing=False)
        nodes, _, _ = walker.get_latex_nodes()
        text = converter.nodes(nodes)
    except MathError:
        raise
    except (Exception, RecursionError) as exc:  # pylatexenc's parse errors, deep nesting
        raise MathError(str(exc)) from None
    if "%s" in text:
        raise MathError("incomplete macro")
    lines = [" ".join(part.split()) for part in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)
