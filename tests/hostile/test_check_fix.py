"""`retain check --fix` mends every layout and keeps every byte it did not add; `format = 1.0` is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.cli import main
from retain.core.deckfile import parse_deck
from retain.core.fixids import add_missing_ids

BOM = b"\xef\xbb\xbf"
HEAD = 'format = 1\n[deck]\nid = "d"\nname = "D"\n'


def _fix(
    tmp_path: Path, raw: bytes, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> bytes:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    path = tmp_path / "d.toml"
    path.write_bytes(raw)
    main(["check", "--fix", str(path)])
    capsys.readouterr()
    return path.read_bytes()


def test_fix_keeps_a_utf8_bom(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = BOM + (HEAD + '[[cards]]\nfront = "q"\nback = "a"\n').encode()
    fixed = _fix(tmp_path, raw, monkeypatch, capsys)
    assert fixed.startswith(BOM)
    assert fixed.replace(b'id = "q-', b"").count(b"\n") == raw.count(b"\n") + 1
    deck = parse_deck(fixed.decode("utf-8-sig")).deck
    assert deck is not None and len(deck.cards) == 1


@pytest.mark.parametrize(
    "header",
    ["[[cards]]", "[[ cards ]]", "[[\tcards\t]]", '[["cards"]]', "[[ 'cards' ]]", "  [[cards]]  # a comment"],
)
def test_fix_adds_ids_under_every_header_spelling(header: str) -> None:
    text = HEAD + f'{header}\nfront = "q1"\nback = "a"\n\n{header}\nid = "kept"\nfront = "q2"\nback = "a"\n'
    fixed, count = add_missing_ids(text)
    assert count == 1
    result = parse_deck(fixed)
    assert result.deck is not None and not result.errors
    assert [c.id for c in result.deck.cards][1] == "kept"


@pytest.mark.parametrize("quote", ['"""', "'''"])
def test_fix_skips_header_lines_inside_multiline_strings(quote: str) -> None:
    text = (
        HEAD
        + f"description = {quote}\n[[cards]]\n{quote}\n".replace("description", "tags = []\nnote")
        + f'[[cards]]\nfront = {quote}\n[[cards]]\nlooks like a header\n{quote}\nback = "a"\n'
        + '[[cards]]\nfront = "q2"\nback = "b"\n'
    )
    fixed, count = add_missing_ids(text)
    assert count == 2
    result = parse_deck(fixed)
    assert result.deck is not None and len(result.deck.cards) == 2
    assert not [p for p in result.errors if "run `retain check --fix`" in p.message]
    assert f"{quote}\n[[cards]]\nlooks like a header\n{quote}" in fixed  # the string is untouched


def test_fix_keeps_crlf_and_other_line_breaks(tmp_path: Path) -> None:
    text = HEAD.replace("\n", "\r\n") + '[[cards]]\r\nfront = "a\u2028b"\r\nback = "x"\r\n'
    fixed, count = add_missing_ids(text)
    assert count == 1
    assert fixed.replace(fixed.split("\r\n")[5] + "\r\n", "", 1) == text


@pytest.mark.parametrize("value", ["1.0", "true", '"1"', "1e0", "+1.0"])
def test_only_the_integer_format_1_is_read(value: str) -> None:
    result = parse_deck(f'format = {value}\n[deck]\nid = "d"\nname = "D"\n')
    assert result.deck is None
    assert any("unsupported deck format" in p.message for p in result.errors)


def test_format_1_is_read() -> None:
    assert parse_deck(HEAD).deck is not None
