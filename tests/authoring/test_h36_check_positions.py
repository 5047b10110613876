"""`retain check` points each problem in a card's text at the line and column that hold it.

A missing media file was said at the card's `[[cards]]` header, a broken cloze in a
multi-line `text = \"\"\"...\"\"\"` at the `text =` line, a card with no id in an indented
header or an inline table at column 1, and a card's missing media file not at all while the
card had an error. Positions inside a string count its escapes, line continuations, the
trimmed first line break and CRLF line ends as the TOML readers read them.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.cli import main
from retain.core.deckfile import parse_deck

HEAD = 'format = 1\n\n[deck]\nid = "m"\n\n'


def _at(text: str, line: int, col: int) -> str:
    """What the file holds from line:col on (1-based, columns in characters, lines at "\\n")."""
    return text.split("\n")[line - 1][col - 1 :]


def test_the_attack_deck_says_the_missing_file_where_it_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    (tmp_path / "m.media").mkdir()
    path = tmp_path / "m.toml"
    path.write_text(
        HEAD + '[[cards]]\nid = "a"\nfront = """\nWhich component is this?\n\nLook closely.\n"""\n'
        'back = "etcd ![img](m.media/etcd.png)"\nsourc = "Q8"\n',
        encoding="utf-8",
    )
    main(["check", str(path)])
    said = capsys.readouterr().out.splitlines()
    assert said[0].startswith(f"{path}:13:14: warning: card 'a': media 'etcd.png' not found"), said
    assert said[1] == f"{path}:14:1: warning: unknown card key `sourc`"


def test_a_card_with_an_error_still_has_its_media_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its other warnings (an unknown key) were said; the missing file was not."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    path = tmp_path / "m.toml"
    path.write_text(
        HEAD + '[[cards]]\nid = "a"\ntags = "x"\nfront = "q ![i](m.media/gone.png)"\nback = "b"\n'
        '[[cards]]\nid = "a"\nfront = "r"\nback = """\n![i](m.media/dup.png)"""\n',
        encoding="utf-8",
    )
    assert main(["check", str(path)]) == 1
    said = capsys.readouterr().out
    assert f"{path}:9:12: warning: card 'a': media 'gone.png' not found" in said, said
    assert f"{path}:15:1: warning: card 'a': media 'dup.png' not found" in said, said


@pytest.mark.parametrize(
    ("card", "where"),
    [
        ('  [[ cards ]]\n  kind = "basic"\n  front = "q"\n', (6, 3)),
        ('\t[[cards]]\nfront = "q"\n', (6, 2)),
    ],
)
def test_a_card_without_an_id_is_said_at_its_header(card: str, where: tuple[int, int]) -> None:
    [problem] = parse_deck(HEAD + card, "d.toml").errors
    assert "no `id`" in problem.message
    assert (problem.line, problem.col) == where


def test_an_inline_card_without_an_id_is_said_at_its_table() -> None:
    text = HEAD.replace('[deck]\nid = "m"\n', 'deck = { id = "m" }\n') + (
        'cards = [\n  { id = "a", front = "q", back = "b" },   { front = "q2", back = "b2" },\n]\n'
    )
    [problem] = parse_deck(text, "d.toml").errors
    assert "no `id`" in problem.message
    assert _at(text, problem.line, problem.col).startswith('{ front = "q2"'), problem


# Text a string may hold around the markup: words, and (in a basic string) escapes and line
# continuations, which the file writes with more characters than the value holds.
_WORDS = st.sampled_from(["word", "two words", " ", "é", "ünï", "x.y", "(a)", "🙂"])
_ESCAPES = st.sampled_from(["\\t", "\\u00e9", "\\U0001F600", "\\\\", '\\"', "\\n", "\\\n   ", '"x', '""x'])


@st.composite
def _body(draw: st.DrawFn, basic: bool, markup: str) -> tuple[str, int]:
    """A multi-line string's body as written, with `markup` placed at a random place; and the
    offset of the markup in it."""
    pieces = st.one_of(_WORDS, _ESCAPES, st.just("\n")) if basic else st.one_of(_WORDS, st.just("\n"))
    before = "".join(draw(st.lists(pieces, max_size=12)))
    after = "".join(draw(st.lists(pieces, max_size=6)))
    lead = draw(st.sampled_from(["", "\n"]))  # (a line break right after the opening quotes is trimmed)
    body = lead + before + markup + " " + after + " "
    return body, len(lead + before)


def _place(head: str, key: str, basic: bool, body: str, at: int, crlf: bool) -> tuple[str, tuple[int, int]]:
    """The file: `head`, then `key` holding `body` in a multi-line string; and the line and column
    of the body's character at offset `at` (the markup placed there)."""
    quote = '"""' if basic else "'''"
    text = head + f"{key} = {quote}{body}{quote}\n"
    offset = len(head) + len(key) + 3 + 3 + at
    before = text[:offset]
    line, col = before.count("\n") + 1, offset - before.rfind("\n")
    return (text.replace("\n", "\r\n") if crlf else text), (line, col)


_STRAY = st.sampled_from(["{{C1::x}}", "{{c2::never closed", "{{c0::zero}}", "{{c2:one colon}}"])


@settings(max_examples=150, deadline=None)
@given(
    markup=_STRAY,
    basic=st.booleans(),
    crlf=st.booleans(),
    data=st.data(),
)
def test_a_broken_cloze_in_a_multi_line_text_is_said_where_it_is(
    markup: str, basic: bool, crlf: bool, data: st.DataObject
) -> None:
    body, at = data.draw(_body(basic, markup))
    head = HEAD + '[[cards]]\nid = "c"\nkind = "cloze"\n'
    text, where = _place(head, "text", basic, body, at, crlf)
    problems = [p for p in parse_deck(text, "c.toml").problems if "is not a cloze" in p.message]
    assert problems, parse_deck(text, "c.toml").problems
    opener = markup[: markup.index(":")]
    for problem in problems:
        assert (problem.line, problem.col) == where, (problem, text)
        assert _at(text.replace("\r\n", "\n"), *where).startswith(opener)


@settings(max_examples=100, deadline=None)
@given(basic=st.booleans(), crlf=st.booleans(), data=st.data())
def test_a_nested_cloze_is_said_at_the_outer_opener(basic: bool, crlf: bool, data: st.DataObject) -> None:
    body, at = data.draw(_body(basic, "{{c1::outer {{c2::inner}} rest}}"))
    head = HEAD + '[[cards]]\nid = "c"\nkind = "cloze"\n'
    text, where = _place(head, "text", basic, body, at, crlf)
    [problem] = [p for p in parse_deck(text, "c.toml").problems if "nested" in p.message]
    assert (problem.line, problem.col) == where, (problem, text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    key=st.sampled_from(["front", "back", "extra"]),
    basic=st.booleans(),
    crlf=st.booleans(),
    broken=st.booleans(),
    data=st.data(),
)
def test_a_missing_media_file_in_a_multi_line_string_is_said_where_it_is(
    tmp_path: Path, key: str, basic: bool, crlf: bool, broken: bool, data: st.DataObject
) -> None:
    from retain.store.media import file_media_problems  # (here: the failing-first run had none)

    body, at = data.draw(_body(basic, "![pic](m.media/lost.png)"))
    card = '[[cards]]\nid = "a"\n' + ('tags = "x"\n' if broken else "")
    card += "".join(f'{k} = "{k}"\n' for k in ("front", "back") if k != key)
    text, where = _place(HEAD + card, key, basic, body, at, crlf)
    path = tmp_path / "m.toml"
    path.write_bytes(text.encode("utf-8"))
    result = parse_deck(text, str(path))
    assert result.deck is not None
    [problem] = file_media_problems(result.deck, left_out=result.left_out > 0)
    assert "'lost.png' not found" in problem.message
    assert (problem.line, problem.col) == where, (problem, text)
    assert _at(text.replace("\r\n", "\n"), *where).startswith("![pic](m.media/lost.png)")


@st.composite
def _written(draw: st.DrawFn) -> tuple[str, str]:
    """A value and a basic string writing it, each character verbatim or escaped at random."""
    value = draw(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30))
    out = []
    for char in value:
        plain = char not in '"\\' and ord(char) >= 0x20 and char != "\x7f"
        if plain and draw(st.booleans()):
            out.append(char)
        else:
            out.append(
                draw(st.sampled_from([f"\\u{ord(char):04X}", f"\\U{ord(char):08x}"]))
                if ord(char) <= 0xFFFF
                else f"\\U{ord(char):08X}"
            )
    return value, '"' + "".join(out) + '"'


@given(_written(), st.sampled_from(["", "    ", "\t"]))
def test_a_single_line_string_maps_each_character_to_where_it_is_written(
    written: tuple[str, str], indent: str
) -> None:
    from retain.core.tomlspots import read_string

    value, string = written
    text = f"{indent}front = {string}\n"
    assert tomllib.loads(text.strip())["front"] == value
    spots = read_string(text, text.index('"'))
    assert spots is not None and spots.value == value
    for i, char in enumerate(value):
        raw = spots.raw(i)
        if text[raw] != "\\":
            assert text[raw] == char, (i, raw, text)
        else:  # the escape written for it: `\u00e9`, `\U0001F600`
            digits = 4 if text[raw + 1] == "u" else 8
            assert chr(int(text[raw + 2 : raw + 2 + digits], 16)) == char, (i, raw, text)
