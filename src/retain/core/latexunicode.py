"""One LaTeX math expression as Unicode text: `\\Gamma` -> Γ, `\\frac{1}{72}` -> 1/72, `x^{2}` -> x².

The expression is parsed strictly by `pylatexenc` (a maintained LaTeX parser);
its symbol table gives the macros' characters. On top of it this module writes
fractions as `a/b` (operands with operators in brackets), roots as `√x`,
sub- and superscripts as Unicode sub/superscript characters where every
character has one (else `^(…)`), and drops `\\left`/`\\right` and spacing
around delimiters. `to_unicode` raises `MathError` for anything it cannot
convert faithfully (a parse error, an unknown macro): the caller shows the
source instead.
"""

from __future__ import annotations

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
_SUP.update({"*": "*", "'": "′", "′": "′", "∗": "*", "−": "⁻", "T": "ᵀ"})
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
)
_FRACS = frozenset({"frac", "dfrac", "tfrac", "cfrac"})
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

        self.db = get_default_latex_context_db()
        self.l2t = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)

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

    def macro(self, node: Any) -> list[str]:
        name = str(node.macroname)
        space = [" "] if node.macro_post_space else []
        if name in _NOTHING:
            return []
        if name in _FRACS:
            return [f"{_bracket(self.arg(node, 0))}/{_bracket(self.arg(node, 1))}"]
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
        nodes, _, _ = LatexWalker(source, tolerant_parsing=False).get_latex_nodes()
        text = _converter().nodes(nodes)
    except MathError:
        raise
    except (Exception, RecursionError) as exc:  # pylatexenc's parse errors, deep nesting
        raise MathError(str(exc)) from None
    if "%s" in text:
        raise MathError("incomplete macro")
    lines = [" ".join(part.split()) for part in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)
