"""`retain check` puts each author-lint warning at the field it is about: the `back =` value of
"the answer appears in the question", the `{{c2::` of a cloze answer visible elsewhere, the
`accept =` of an accepted answer the question shows. They all said the card's header line,
column 1, where the parser's own problems point at the place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retain.cli import main

DECK = '''format = 1

[deck]
id = "d"
name = "D"

# a typed card
[[cards]]
id = "q1"
kind = "typed"
front = "What does Kafka use?"
back = "# of partitions"

[[cards]]
id = "q2"
front = "Which broker leads?"
back = 'the broker'

[[cards]]
id = "q3"
kind = "typed"
front = "Which port does the broker use"
back = "9092"
accept = [
  "port",
]

[[cards]]
id = "c1"
kind = "cloze"
text = """Kafka keeps {{c1::offsets}} in a topic.
Consumers commit {{c2::offsets}} to it and offsets again."""
'''

INLINE = 'format = 1\ncards = [\n  { id = "q2", front = "Which broker leads?", back = "the broker" },\n]\n\n[deck]\nid = "d"\nname = "D"\n'


def _check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], text: str
) -> dict[str, str]:
    deck = tmp_path / "d.toml"
    deck.write_text(text, "utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    main(["check", str(deck)])
    out = capsys.readouterr().out
    found: dict[str, str] = {}
    for line in out.splitlines():
        m = re.match(rf"{re.escape(str(deck))}:(\d+):(\d+): warning: (.*)", line)
        if m:
            found[m.group(3)] = f"{m.group(1)}:{m.group(2)}"
    return found


def _at(text: str, needle: str, nth: int = 1) -> str:
    """line:col (1-based) of the nth `needle` in text."""
    pos = -1
    for _ in range(nth):
        pos = text.index(needle, pos + 1)
    line = text.count("\n", 0, pos) + 1
    return f"{line}:{pos - (text.rfind(chr(10), 0, pos) + 1) + 1}"


def test_each_lint_warning_is_at_its_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    found = _check(tmp_path, monkeypatch, capsys, DECK)
    assert found, found
    where = {message: at for message, at in found.items()}
    expect = {
        "'q1': the back '# of partitions'": _at(DECK, "# of partitions"),
        "'q2': the answer appears in the question": _at(DECK, "the broker"),
        "'q3': accept entry 'port' appears in the question": _at(DECK, "accept"),
        "'c1': cloze c1 answer 'offsets' is visible elsewhere": _at(DECK, "{{c1::"),
        "'c1': cloze c2 answer 'offsets' is visible elsewhere": _at(DECK, "{{c2::"),
    }
    for start, at in expect.items():
        said = [m for m in where if m.startswith(start)]
        assert said, (start, where)
        # (a string's first character: one column after its opening quote)
        assert where[said[0]] in (at, _next_col(at)), (start, where[said[0]], at)


def _next_col(at: str) -> str:
    line, col = at.split(":")
    return f"{line}:{int(col) + 1}"


def test_cards_inline_in_an_array_are_placed_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    found = _check(tmp_path, monkeypatch, capsys, INLINE)
    assert list(found.values()) == [_at(INLINE, "the broker")], found


def test_a_duplicate_question_is_at_its_front(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "e.toml"
    text = 'format = 1\n\n[deck]\nid = "e"\nname = "E"\n\n[[cards]]\nid = "x"\nback = "the leader"\nfront = "Which broker leads?"\n'
    other.write_text(text, "utf-8")
    (tmp_path / "d.toml").write_text(DECK, "utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    main(["check", str(tmp_path / "d.toml"), str(other)])
    lines = [line for line in capsys.readouterr().out.splitlines() if "duplicates card" in line]
    assert len(lines) == 1 and lines[0].startswith(f"{other}:{_at(text, 'Which broker')}: "), lines
