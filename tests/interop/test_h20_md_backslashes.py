"""A `.md` card line that starts with many backslashes reads and writes in time linear in the line.

Whether a line needs retain's escape was worked out by a function that called itself once per
leading backslash (and copied the line each time): a line of ~1000 backslashes crashed the
import of a `.md` file, and the `.md` export of a card holding it, with a RecursionError.
"""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from retain.core.model import Card, Deck
from retain.interop.hashcards import escape_line, is_separator, is_tag, unescape_line
from retain.interop.importer import read_file
from retain.interop.markdown import write_markdown

# ---- the rule as it was written (recursive: only for short lines) ----------------------------


def _ref_special(line: str) -> bool:
    if is_tag(line) or is_separator(line) or line.startswith("<!-- retain "):
        return True
    rest = line.lstrip(" \t")
    return rest.startswith("\\") and _ref_special(line[: len(line) - len(rest)] + rest[1:])


def _ref_escape(line: str) -> str:
    if not _ref_special(line):
        return line
    rest = line.lstrip(" \t")
    return line[: len(line) - len(rest)] + "\\" + rest


def _ref_unescape(line: str) -> str:
    rest = line.lstrip(" \t")
    indent = line[: len(line) - len(rest)]
    if rest.startswith("\\") and _ref_special(indent + rest[1:]):
        return indent + rest[1:]
    return line


# pieces that make the rule's cases: tags, separators, indentation, whitespace `strip` takes
_PIECES = [
    "\\",
    "\\",
    " ",
    "\t",
    "Q:",
    "A:",
    "C:",
    "---",
    "-",
    "<!-- retain ",
    "x",
    "\xa0",
    "\u3000",
    "\r",
    "\x0c",
]
lines = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=12).map("".join),
    st.text(alphabet=st.characters(blacklist_characters="\n"), max_size=30),
)


@given(lines)
def test_escape_and_unescape_follow_the_rule_as_written(line: str) -> None:
    assert escape_line(line) == _ref_escape(line)
    assert unescape_line(line) == _ref_unescape(line)


@given(lines)
def test_an_escaped_line_reads_back_and_is_never_a_tag_or_separator(line: str) -> None:
    escaped = escape_line(line)
    assert unescape_line(escaped) == line
    assert not is_tag(escaped) and not is_separator(escaped) and not escaped.startswith("<!-- retain ")


N = 100_000
LONG = {
    "\\" * N: None,  # plain text: no escape
    "\\" * N + "Q: x": "\\" * (N + 1) + "Q: x",
    "\\" * N + "<!-- retain {}": "\\" * (N + 1) + "<!-- retain {}",
    " \\" * N + " --- ": " \\" + (" \\" * N)[1:] + " --- ",
    "\t\\ " * N + "A:": None,  # indented: `A:` is no tag after the indentation
    "\\" * N + "x---": None,
}


def test_lines_of_100k_backslashes_escape_in_linear_time() -> None:
    start = time.process_time()
    for line, escaped in LONG.items():
        out = escape_line(line)
        assert out == (line if escaped is None else escaped)
        assert unescape_line(out) == line
    # linear: a few milliseconds; the recursive rule never finished (or hit the recursion limit)
    assert time.process_time() - start < 2.0


def test_a_md_file_with_a_100k_backslash_line_imports_and_exports(tmp_path: Path) -> None:
    back = "a\n" + "\\" * N + "\n" + "\\" * (N // 2) + "Q: not a tag\n" + " \\" * 1000 + "---"
    path = tmp_path / "bs.md"
    path.write_text(
        f"Q: q\nA: {escape_line('a')}\n" + "\n".join(escape_line(ln) for ln in back.split("\n")[1:])
    )
    stage = tmp_path / "stage"
    stage.mkdir()
    (card,) = read_file(path, stage).decks[0].cards
    assert (card.front, card.back) == ("q", back)

    out = tmp_path / "out" / "bs.md"
    out.parent.mkdir()
    out.write_text(write_markdown(Deck(id="bs", name="bs", cards=(Card(id="c1", front="q", back=back),))))
    (again,) = read_file(out, stage).decks[0].cards
    assert (again.id, again.front, again.back) == ("c1", "q", back)
    assert (
        "\n" + "\\" * (N // 2 + 1) + "Q: not a tag\n" in out.read_text()
    )  # escaped in the text, not only in the metadata
