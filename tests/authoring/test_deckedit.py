"""Editing deck files keeps the author's text; conflicting external edits are never overwritten."""

from __future__ import annotations

import difflib
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.core.deckfile import ParseResult, parse_deck
from retain.core.deckwrite import card_toml, deck_to_toml, toml_string, toml_text
from retain.core.model import KINDS, Card, Deck
from retain.core.tomltables import CARD, scan
from retain.store.decks import deckedit
from retain.store.decks.deckedit import DeckChangedOnDisk, DeckEditError, DeckFile
from retain.store.paths import bundled_decks_dir

BUNDLED = bundled_decks_dir()
assert BUNDLED is not None


def _copy(tmp_path: Path, name: str = "consul.toml") -> Path:
    assert BUNDLED is not None
    target = tmp_path / name
    shutil.copyfile(BUNDLED / name, target)
    return target


def _changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_editing_one_card_changes_only_that_card(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    original = path.read_text("utf-8")
    deck_file = DeckFile.load(path)
    card = next(c for c in deck_file.deck().cards if c.id == "health-checks")
    edited = replace(card, back="Continuous health checks.", tags=("edited",))
    deck_file.upsert(edited)
    deck_file.save()
    assert _changed_lines(original, path.read_text("utf-8")) == [
        f"-back = {json.dumps(card.back)}",
        '+back = "Continuous health checks."',
        '+tags = ["edited"]',
    ]
    assert original.splitlines()[:3] == path.read_text("utf-8").splitlines()[:3]  # comments kept


def test_append_and_remove(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    original = path.read_text("utf-8")
    deck_file = DeckFile.load(path)
    deck_file.upsert(Card("new-one", front="Q?", back="A"))
    deck_file.save()
    text = path.read_text("utf-8")
    assert text.startswith(original.rstrip("\n") + '\n\n[[cards]]\nid = "new-one"')
    deck_file.remove("phonebook")
    deck_file.save()
    ids = [c.id for c in DeckFile.load(path).deck().cards]
    assert "phonebook" not in ids and ids[-1] == "new-one"
    with pytest.raises(DeckEditError):
        deck_file.remove("phonebook")


def test_external_edit_is_never_overwritten(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    deck_file = DeckFile.load(path)
    deck_file.upsert(Card("mine", front="Q?", back="A"))
    theirs = path.read_text("utf-8").replace("dynamic {{c1::phonebook}}", "dynamic {{c1::phone book}}")
    path.write_text(theirs, "utf-8")
    with pytest.raises(DeckChangedOnDisk, match="changed on disk"):
        deck_file.save()
    assert path.read_text("utf-8") == theirs  # their edit stays
    reloaded = DeckFile.load(path)
    reloaded.upsert(Card("mine", front="Q?", back="A"))
    reloaded.save()
    final = path.read_text("utf-8")
    assert "phone book" in final and 'id = "mine"' in final  # both edits kept


def test_invalid_edit_is_refused_and_file_untouched(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    before = path.read_bytes()
    deck_file = DeckFile.load(path)
    deck_file.text += '\n[[cards]]\nid = "BAD ID"\nfront = "x"\n'
    with pytest.raises(DeckEditError, match="invalid"):
        deck_file.save()
    assert path.read_bytes() == before


def test_multiline_strings_stay_multiline(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text(
        'format = 1\n[deck]\nid = "m"\nname = "M"\n\n[[cards]]\nid = "a"\nfront = """\nLine one\nLine two"""\n'
        'back = "b"\n',
        "utf-8",
    )
    deck_file = DeckFile.load(path)
    deck_file.upsert(Card("a", front="Line one\nLine three", back="b"))
    deck_file.save()
    assert 'front = """\nLine one\nLine three"""' in path.read_text("utf-8")  # its text on its own line


# ---- the splice: one card's table changes, every other byte stays ----


def _bare(card: Card) -> Card:
    return replace(card, line=0)


HEAD = 'format = 1\n\n[deck]\nid = "d"\nname = "D"\n'


def _deck_text(*tables: str) -> str:
    return HEAD + "".join(tables)


def _write(tmp_path: Path, text: str, name: str = "d.toml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _parsed(text: str, path: Path) -> Deck:
    result = parse_deck(text, str(path))
    assert result.deck is not None and not result.errors, result.problems
    return result.deck


def _edit(path: Path, card: Card) -> str:
    deck_file = DeckFile.load(path)
    deck_file.upsert(card)
    deck_file.save()
    text = path.read_bytes().decode("utf-8-sig")
    assert deck_file.deck() == _parsed(text, path)  # the derived deck is parse_deck's, lines too
    return text


A = '[[cards]]\nid = "a"\nfront = "QA"\nback = "BA"\n'
B = '[[cards]]\nid = "b"\nfront = "QB"\nback = "BB"\n'
C = '[[cards]]\nid = "c"\nfront = "QC"\nback = "BC"\n'


def test_comments_after_a_card_stay_with_the_next_card(tmp_path: Path) -> None:
    before_b = '\n# about b: [[cards]] and """ in a comment\n\n# still about b\n'
    path = _write(tmp_path, _deck_text(A, before_b, B, "\n", C))
    text = _edit(path, Card("a", front="QA", back="BA", tags=("t",)))
    assert text == _deck_text(A + 'tags = ["t"]\n', before_b, B, "\n", C)


def test_header_like_lines_inside_multiline_strings_are_not_headers(tmp_path: Path) -> None:
    hostile = (
        '[[cards]]\nid = "h"\nfront = """\n[[cards]]\nid = "evil"\n# not a comment\n"""\n'
        "back = '''\n[[cards]]\n[deck]\n'''\n"
    )
    path = _write(tmp_path, _deck_text(A, "\n", hostile, "\n", B))
    text = _edit(path, Card("a", front="QA", back="new back"))
    assert text == _deck_text(A.replace("BA", "new back"), "\n", hostile, "\n", B)
    text = _edit(path, Card("h", front="new front", back="[[cards]]\n"))
    assert text.startswith(_deck_text(A.replace("BA", "new back"), "\n")) and text.endswith("\n\n" + B)
    assert [c.id for c in _parsed(text, path).cards] == ["a", "h", "b"]
    deck_file = DeckFile.load(path)
    deck_file.remove("h")
    deck_file.save()
    assert path.read_text("utf-8") == _deck_text(A.replace("BA", "new back"), "\n", B)


def test_last_card_without_final_newline(tmp_path: Path) -> None:
    path = _write(tmp_path, _deck_text(A, "\n", B.rstrip("\n")))
    text = _edit(path, Card("b", front="QB", back="BB", source="S"))
    assert text == _deck_text(A, "\n", B + 'source = "S"\n')
    deck_file = DeckFile.load(path)
    deck_file.remove("b")
    deck_file.save()
    assert path.read_text("utf-8") == _deck_text(A)  # no blank lines left at the end


def test_remove_keeps_the_next_cards_comments(tmp_path: Path) -> None:
    """The comment right above a card's header (no blank line between) is that card's and goes
    with it; one a blank line away, and the next card's, stay."""
    path = _write(
        tmp_path, _deck_text(A, "\n# the file's\n\n# about b\n", B, "\n\n# about c\n", C, "\n# the end\n")
    )
    deck_file = DeckFile.load(path)
    deck_file.remove("b")
    deck_file.save()
    assert path.read_text("utf-8") == _deck_text(A, "\n# the file's\n\n", "# about c\n", C, "\n# the end\n")
    deck_file.remove("c")
    deck_file.save()
    assert path.read_text("utf-8") == _deck_text(A, "\n# the file's\n\n", "# the end\n")


def test_crlf_file_stays_crlf(tmp_path: Path) -> None:
    original = _deck_text(A, "\n# about b\n", B, "\n", C).replace("\n", "\r\n")
    path = _write(tmp_path, original)
    text = _edit(path, Card("b", front="QB", back="two\nlines", tags=("x",)))
    assert "\n" not in text.replace("\r\n", "")
    a_part, c_part = original.split(B.replace("\n", "\r\n"))
    assert text.startswith(a_part) and text.endswith(c_part)
    deck_file = DeckFile.load(path)
    deck_file.upsert(Card("new", front="Q", back="A"))
    deck_file.remove("a")
    deck_file.save()
    final = path.read_bytes().decode("utf-8")
    assert "\n" not in final.replace("\r\n", "")
    assert [c.id for c in _parsed(final, path).cards] == ["b", "c", "new"]


def test_bom_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + _deck_text(A, "\n", B).encode("utf-8"))
    _edit(path, Card("a", front="QA", back="changed"))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf" + HEAD.encode("utf-8"))


INLINE = 'format = 1\ncards = [\n  {id = "a", front = "QA", back = "BA"},\n  {id = "b", front = "QB", back = "BB"},\n]\n\n[deck]\nid = "d"\nname = "D"\n'


def test_inline_cards_array_goes_through_the_whole_file(tmp_path: Path) -> None:
    path = _write(tmp_path, INLINE)
    text = _edit(path, Card("b", front="QB", back="changed", tags=("t",)))
    assert '{id = "a", front = "QA", back = "BA"}' in text
    deck_file = DeckFile.load(path)
    deck_file.upsert(Card("c", front="QC", back="BC"))
    deck_file.save()
    deck_file.remove("a")
    deck_file.save()
    deck = _parsed(path.read_text("utf-8"), path)
    assert [(c.id, c.back, c.tags) for c in deck.cards] == [("b", "changed", ("t",)), ("c", "BC", ())]


def test_append_to_empty_inline_array(tmp_path: Path) -> None:
    path = _write(tmp_path, 'format = 1\ncards = []\n[deck]\nid = "d"\nname = "D"\n')
    deck_file = DeckFile.load(path)
    deck_file.upsert(Card("a", front="QA", back="BA"))
    deck_file.save()
    assert [c.id for c in _parsed(path.read_text("utf-8"), path).cards] == ["a"]


def test_sub_tables_of_a_card_fall_back_to_the_whole_file(tmp_path: Path) -> None:
    path = _write(tmp_path, _deck_text(A, "[cards.notes]\nx = 1\n\n", B))
    _edit(path, Card("a", front="QA", back="changed"))
    deck_file = DeckFile.load(path)
    deck_file.remove("a")
    deck_file.save()
    assert [c.id for c in _parsed(path.read_text("utf-8"), path).cards] == ["b"]


def test_arrays_and_inline_tables_over_several_lines(tmp_path: Path) -> None:
    odd = '[[cards]]\nid = "o"\nfront = "QO"\nback = "BO"\nx = [\n  [["cards"]],\n[1]]\ny = {z = """\n[[cards]]\n"""}\n'
    path = _write(tmp_path, _deck_text(A, "\n", odd, "\n", B))
    text = _edit(path, Card("b", front="QB", back="changed"))
    assert text == _deck_text(A, "\n", odd, "\n", B.replace("BB", "changed"))
    text = _edit(path, Card("o", front="QO", back="changed"))
    assert text == _deck_text(A, "\n", odd.replace("BO", "changed"), "\n", B.replace("BB", "changed"))


def test_quoted_header_keys_are_card_headers_too(tmp_path: Path) -> None:
    quoted = B.replace("[[cards]]", '[["cards"]]')
    path = _write(tmp_path, _deck_text(A, "\n", quoted, "\n", C.replace("[[cards]]", "[[ 'cards' ]]")))
    text = _edit(path, Card("a", front="QA", back="changed"))
    assert text == _deck_text(
        A.replace("BA", "changed"), "\n", quoted, "\n", C.replace("[[cards]]", "[[ 'cards' ]]")
    )
    deck_file = DeckFile.load(path)
    deck_file.remove("c")
    deck_file.save()
    assert path.read_text("utf-8") == _deck_text(A.replace("BA", "changed"), "\n", quoted)


def test_external_edit_is_never_overwritten_on_the_fast_path(tmp_path: Path) -> None:
    path = _write(tmp_path, _deck_text(A, "\n", B))
    DeckFile.load(path).deck()  # as the editor does: now the text is known
    for change in ("edit", "remove"):
        deck_file = DeckFile.load(path)
        if change == "edit":
            deck_file.upsert(Card("a", front="QA", back="mine"))
        else:
            deck_file.remove("a")
        theirs = path.read_text("utf-8") + f"# their {change}\n"
        path.write_text(theirs, "utf-8")
        with pytest.raises(DeckChangedOnDisk):
            deck_file.save()
        assert path.read_text("utf-8") == theirs


def test_invalid_edit_on_the_fast_path_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, _deck_text(A, "\n", B))
    before = path.read_bytes()
    deck_file = DeckFile.load(path)
    deck_file.upsert(Card("b", kind="typed", front="QB", back=""))
    with pytest.raises(DeckEditError, match="typed card 'b' needs"):
        deck_file.save()
    assert path.read_bytes() == before


def test_a_warm_save_parses_only_the_changed_card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(
        tmp_path, _deck_text(*(B.replace('"b"', f'"c{i}"').replace("QB", f"Q{i}") for i in range(50)))
    )
    DeckFile.load(path).deck()
    size = len(path.read_text("utf-8"))
    parsed: list[int] = []

    def spy(text: str, where: str = "<deck>") -> ParseResult:
        parsed.append(len(text))
        return parse_deck(text, where)

    monkeypatch.setattr(deckedit, "parse_deck", spy)
    deck_file = DeckFile.load(path)
    deck_file.upsert(Card("c7", front="Q7", back="changed"))
    deck_file.save()
    deck_file.remove("c9")
    deck_file.save()
    assert parsed and max(parsed) < size / 10
    monkeypatch.undo()
    assert DeckFile.load(path).deck() == _parsed(path.read_text("utf-8"), path)


# ---- an author's layout: indents, the comment above a card, string styles ----


def _indented(table: str, indent: str) -> str:
    return re.sub(r"(?m)^(?=id|front|back)", indent, table)


def test_a_new_key_in_an_indented_card_is_indented_too(tmp_path: Path) -> None:
    """A key added to a card whose keys are indented was written at the start of its line."""
    path = _write(tmp_path, _deck_text(_indented(A, "  "), "\n", _indented(B, "\t")))
    deck_file = DeckFile.load(path)
    deck_file.upsert(Card("a", front="QA", back="BA", tags=("t",)))
    deck_file.upsert(Card("b", kind="cloze", text="{{c1::x}}", source="S"))
    deck_file.save()
    cloze = '[[cards]]\n\tid = "b"\n\tkind = "cloze"\n\ttext = "{{c1::x}}"\n\tsource = "S"\n'
    assert path.read_text("utf-8") == _deck_text(_indented(A, "  ") + '  tags = ["t"]\n', "\n", cloze)


def test_a_deleted_card_takes_the_comment_right_above_it(tmp_path: Path) -> None:
    """A comment with no blank line between it and a card's header is that card's: it was left
    above the next card. One a blank line away is the file's and stays."""
    noted = "# about b\n# more about b\n" + B
    path = _write(tmp_path, _deck_text(A, "\n# the file's\n\n", noted, "\n", C))
    deck_file = DeckFile.load(path)
    deck_file.remove("b")
    deck_file.save()
    assert path.read_text("utf-8") == _deck_text(A, "\n# the file's\n\n", C)


def test_a_file_edited_whole_deletes_the_right_comment(tmp_path: Path) -> None:
    """A file tomlkit edits whole (a `[cards.x]` sub-table) deleted the next card's comment and
    kept the deleted card's; a new key in an indented card there was not indented either."""
    sub = _indented(A, "  ") + "[cards.x]\ny = 1\n"
    path = _write(tmp_path, _deck_text(sub, "\n# about b\n", B, "\n# about c\n", C))
    deck_file = DeckFile.load(path)
    deck_file.remove("b")
    deck_file.save()
    assert path.read_text("utf-8") == _deck_text(sub, "\n# about c\n", C)
    deck_file.upsert(Card("a", front="QA", back="BA", tags=("t",)))
    deck_file.save()
    assert '  back = "BA"\n  tags = ["t"]\n' in path.read_text("utf-8")


TYPED = (  # a card with a `[cards.aliases]` sub-table: the file goes through tomlkit whole
    '[[cards]]\nid = "t"\nkind = "typed"\nfront = "T"\nback = "a, b"\nmatch = "set"\n[cards.aliases]\nq = "a"\n'
)


@pytest.mark.parametrize(
    ("top", "bottom"),
    [
        ('format = 1\ndeck = { id = "d", name = "D" }\n\n', ""),  # no table before the cards
        ("format = 1\n\n", '\n# the deck\n[deck]\nid = "d"\nname = "D"\n'),  # `[deck]` after them
    ],
    ids=["inline deck", "deck after the cards"],
)
def test_deleting_the_first_card_of_a_file_edited_whole_takes_its_own_comment(
    tmp_path: Path, top: str, bottom: str
) -> None:
    """With no table before the cards, deleting the first card left its own comment above the
    next card and deleted the next card's."""
    text = top + "# about t\n" + TYPED + "\n# about b\n" + B + bottom
    path = _write(tmp_path, text)
    deck_file = DeckFile.load(path)
    deck_file.remove("t")
    deck_file.save()
    assert path.read_text("utf-8") == top + "# about b\n" + B + bottom
    path.write_text(text, "utf-8")
    deck_file = DeckFile.load(path)
    deck_file.remove("t", comment=False)  # (a card moved without its table's text: its comment stays)
    deck_file.save()
    assert path.read_text("utf-8") == top + "# about t\n# about b\n" + B + bottom  # (as in place)


@pytest.mark.parametrize(
    ("aliases", "written"),
    [((("q", "a"), ("z", "b")), '  aliases = {q = "a", z = "b"}\n'), ((), "")],
    ids=["changed", "cleared"],
)
def test_editing_a_cards_aliases_sub_table_keeps_the_next_cards_comment(
    tmp_path: Path, aliases: tuple[tuple[str, str], ...], written: str
) -> None:
    """Changing or clearing the aliases of a card written with a `[cards.aliases]` sub-table
    replaced that table, and with it the blank line and comment above the next card that end its
    text; the new lines lost the card's indent."""
    typed = re.sub(r"(?m)^(?=id|kind|front|back|match|q)", "  ", TYPED)
    path = _write(tmp_path, _deck_text(typed, "\n# about b\n", B))
    deck_file = DeckFile.load(path)
    card = deck_file.deck().cards[0]
    deck_file.upsert(replace(card, aliases=aliases, tags=("x",)))
    deck_file.save()
    head = typed.split("[cards.aliases]")[0] + '  tags = ["x"]\n' + written
    assert path.read_text("utf-8") == _deck_text(head, "\n# about b\n", B)


def test_deleting_the_last_card_of_a_file_edited_whole_leaves_no_blank_line_at_the_end(
    tmp_path: Path,
) -> None:
    """As the in-place edit does: the blank line above the last card's comment stayed at the end."""
    path = _write(tmp_path, _deck_text(TYPED, "\n# about c\n", C))
    deck_file = DeckFile.load(path)
    deck_file.remove("c")
    deck_file.save()
    assert path.read_text("utf-8") == _deck_text(TYPED)
    path.write_text(_deck_text(TYPED, "\n# about c\n", C, "\n# the end\n"), "utf-8")
    deck_file = DeckFile.load(path)
    deck_file.remove("c")
    deck_file.save()
    assert path.read_text("utf-8") == _deck_text(TYPED, "\n# the end\n")  # the file's comment stays


def test_a_multi_line_literal_string_stays_literal(tmp_path: Path) -> None:
    """A `'''` string (no escapes: a Windows path, a regex) was rewritten as a basic one with every
    backslash doubled, its text moved up onto the line of the quotes."""
    table = "[[cards]]\nid = \"a\"\nfront = '''\nC:\\temp\nx'''\nback = \"B\"\n"
    path = _write(tmp_path, _deck_text(table))
    text = _edit(path, Card("a", front="C:\\temp\ny", back="B"))
    assert text == _deck_text(table.replace("x'''", "y'''"))
    text = _edit(path, Card("a", front="it's '''\nhere", back="B"))  # what a literal cannot hold
    assert 'front = """\nit\'s' in text and _parsed(text, path).cards[0].front == "it's '''\nhere"


# ---- property: random decks, random edits ----

ALPHABET = "ab Z09é\n\t\"'\\#[]={}.:\u2028\x85\r\x7f\x01"
HOSTILE = [
    "[[cards]]",
    "\n[[cards]]\n",
    '\n[[cards]]\nid = "evil"\n',
    "\n[deck]\n",
    '"""',
    "'''",
    "\n# x\n",
    "\\",
]
texts = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(ALPHABET, max_size=12)), max_size=4).map("".join)
words = st.lists(st.text("abcxyz-", min_size=1, max_size=6), max_size=3).map(tuple)
SEPARATORS = [
    "",
    "\n",
    "\n# about the next card\n",
    "\n\n# [[cards]] \"\"\" ''' in a comment\n\n",
    "# tight\n",
]


@st.composite
def cards(draw: st.DrawFn, card_id: str) -> Card:
    kind = draw(st.sampled_from(KINDS))
    if kind == "cloze":
        return Card(card_id, "cloze", text="{{c1::x}} " + draw(texts), extra=draw(texts), tags=draw(words))
    return Card(
        card_id,
        kind,
        front="Q" + draw(texts),
        back="A" + draw(texts),
        extra=draw(texts),
        accept=draw(words),
        tags=draw(words),
        source=draw(st.sampled_from(["", "Q1"])),
    )


def _multiline(value: str, literal: bool) -> str | None:
    if literal:
        bad = "'''" in value or value.endswith("'") or any(ord(c) < 32 and c not in "\n\t" for c in value)
        return None if bad or "\x7f" in value else "'''\n" + value + "'''"
    out = [
        {"\\": "\\\\", '"': '\\"', "\n": "\n", "\t": "\t"}.get(c)
        or (f"\\u{ord(c):04x}" if ord(c) < 32 or ord(c) == 127 else c)
        for c in value
    ]
    return '"""\n' + "".join(out) + '"""'


def _table(card: Card, draw: st.DrawFn) -> str:
    """The card as `card_toml` writes it (multi-line values as multi-line strings), then each text
    field restyled as a one-line, multi-line basic or multi-line literal string."""
    header, _, body = card_toml(card).rstrip("\n").partition("\n")
    header = draw(st.sampled_from(["[[cards]]", "[[cards]]  # header note", "  [[ cards ]]", '[["cards"]]']))
    at = 0
    for key in ("text", "front", "back", "extra"):
        value = getattr(card, key)
        written = f"{key} = {toml_text(value)}"
        found = body.find(written, at)
        if not value or found < 0:
            continue
        style = draw(st.sampled_from(["default", "basic", "mlb", "mll"]))
        replacement = {"basic": toml_string(value), "default": toml_text(value)}.get(style)
        ml = replacement or _multiline(value, style == "mll") or toml_text(value)
        body = body[:found] + f"{key} = {ml}" + body[found + len(written) :]
        at = found + len(f"{key} = {ml}")
    indent = draw(st.sampled_from(["", "", "  ", "    ", "\t"]))
    if indent:  # every key line indented (an author's style), never a line inside a string
        found_lines = scan(body + "\n", lines=True)
        assert found_lines is not None
        starts = found_lines[1]
        body = "".join(indent + body[a:b] for a, b in zip(starts, [*starts[1:], len(body)], strict=True))
    return header + "\n" + body + "\n"


@st.composite
def deck_files(draw: st.DrawFn) -> tuple[list[str], list[Card], int]:
    """(parts of the file text, its cards, index of each card's table in parts offset)."""
    deck_cards = [draw(cards(f"c{i}")) for i in range(draw(st.integers(1, 6)))]
    parts = [deck_to_toml(Deck("d", "D"))]
    for card in deck_cards:
        parts += [draw(st.sampled_from(SEPARATORS)), _table(card, draw)]
    ending = draw(st.sampled_from(["keep", "no final newline", "comment"]))
    if ending == "no final newline":
        parts[-1] = parts[-1].rstrip("\n")
    elif ending == "comment":
        parts.append("\n# the end\n")
    if draw(st.booleans()):
        parts = [p.replace("\n", "\r\n") for p in parts]
    return parts, deck_cards, 2  # card k's table is parts[2 * k + 2]


COMMENT_LINES = re.compile(r"(?:^[ \t]*#[^\n]*\n)+\Z", re.MULTILINE)


def _lead(text: str) -> int:
    """Where the comment lines at the end of `text` (right above a card's header) begin."""
    found = COMMENT_LINES.search(text)
    return found.start() if found is not None else len(text)


def _strip_blank_lines(text: str, at_end: bool) -> str:
    if at_end:
        return re.sub(r"(?<=\n)(?:[ \t]*\r?\n)+\Z", "", text)
    return re.sub(r"\A(?:[ \t]*\r?\n)+", "", text)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(deck=deck_files(), data=st.data())
def test_random_edits_change_only_that_card(
    tmp_path: Path, deck: tuple[list[str], list[Card], int], data: st.DataObject
) -> None:
    parts, deck_cards, _ = deck
    bom = "\ufeff" if data.draw(st.booleans()) else ""
    path = _write(tmp_path, bom + "".join(parts))
    assert [_bare(c) for c in _parsed("".join(parts), path).cards] == deck_cards
    found = scan("".join(parts))
    assert found is not None
    offsets = [len("".join(parts[: 2 * k + 2])) for k in range(len(deck_cards))]
    assert [pos for pos, kind in found[0] if kind == CARD] == offsets
    if data.draw(st.booleans()):
        DeckFile.load(path).deck()  # warm, as after the editor read the card
    k = data.draw(st.integers(0, len(deck_cards) - 1))
    before, after = "".join(parts[: 2 * k + 2]), "".join(parts[2 * k + 3 :])
    change = data.draw(st.sampled_from(["edit", "same", "remove", "append", "move"]))
    deck_file = DeckFile.load(path)
    expected = list(deck_cards)
    other_text = _deck_text(C).replace("\n", "\r\n" if data.draw(st.booleans()) else "\n")
    other = _write(tmp_path, other_text, "other.toml")
    if change == "edit":
        expected[k] = data.draw(cards(deck_cards[k].id))
        deck_file.upsert(expected[k])
    elif change == "same":
        deck_file.upsert(deck_cards[k])
    elif change in ("remove", "move"):
        moved = expected.pop(k)
        if change == "move":  # as card_edits.move_card does it: its table's text goes along
            target = DeckFile.load(other)
            target.upsert(moved, deck_file.table_text(moved.id))
            target.save()
        deck_file.remove(moved.id)
    else:
        expected.append(data.draw(cards("new")))
        deck_file.upsert(expected[-1])
    deck_file.save()
    raw = path.read_bytes().decode("utf-8")
    assert raw.startswith(bom)
    text = raw.removeprefix(bom)
    parsed = _parsed(text, path)
    assert [_bare(c) for c in parsed.cards] == expected
    assert deck_file.deck() == parsed
    assert DeckFile.load(path).deck() == parsed
    if change in ("edit", "same"):
        assert text.startswith(before) and text.endswith(after)
        assert change == "edit" or text == "".join(parts)
    elif change in ("remove", "move"):  # the comment right above the card goes with it
        rest, kept = _strip_blank_lines(after, at_end=False), before[: _lead(before)]
        assert text == (kept + rest if rest else _strip_blank_lines(kept, at_end=True))
        if change == "move":
            newline = "\r\n" if "\r\n" in other_text else "\n"
            table = (before[_lead(before) :] + parts[2 * k + 2]).replace("\r\n", "\n").rstrip("\n")
            moved_text = other.read_bytes().decode("utf-8")
            assert moved_text == other_text.rstrip("\r\n") + newline * 2 + (table + "\n").replace(
                "\n", newline
            )
            assert [_bare(c) for c in _parsed(moved_text, other).cards][1:] == [_bare(moved)]
    else:
        assert text.startswith("".join(parts).rstrip("\r\n"))


def test_multi_line_fields_are_written_as_multi_line_strings(tmp_path: Path) -> None:
    path = _write(tmp_path, _deck_text(A))
    code = 'See:\n```\nprint("hi")\n```\nand a "quote" at the end"'
    text = _edit(path, Card("a", front="QA", back=code))
    assert 'back = """\nSee:\n```\nprint("hi")\n```\n' in text and "\\n" not in text
    assert _parsed(text, path).cards[0].back == code
    text = _edit(path, Card("n", front="Line 1\nLine 2", back="B"))  # appended
    assert 'front = """\nLine 1\nLine 2"""' in text
    assert [c.front for c in _parsed(text, path).cards] == ["QA", "Line 1\nLine 2"]


def test_a_crlf_file_keeps_multi_line_values_exact(tmp_path: Path) -> None:
    path = _write(tmp_path, _deck_text(A).replace("\n", "\r\n"))
    text = _edit(path, Card("a", front="one\ntwo", back="BA"))
    assert "\r\n" in text and text.count("\n") == text.count("\r\n")
    assert _parsed(text, path).cards[0].front == "one\ntwo"


@settings(max_examples=200, deadline=None)
@given(value=st.text(min_size=1).map(lambda s: s + "\n" + s))
def test_toml_text_round_trips_every_multi_line_value(value: str) -> None:
    import tomllib

    written = toml_text(value)
    assert written.startswith('"""\n')
    assert tomllib.loads(f"x = {written}")["x"] == value


def test_a_save_waits_for_another_one_and_then_refuses_instead_of_losing_it(tmp_path: Path) -> None:
    """Two savers of one deck file: the second checked "unchanged" just before the first wrote,
    then wrote over it (parallel `retain add`, or the editor beside an import). The check and the
    write now hold a lock on the file: the second waits, finds the file changed, and refuses."""
    import fcntl
    import os
    import threading

    from retain.store.files import atomic_write

    path = _copy(tmp_path)
    deck = DeckFile.load(path)
    deck.upsert(Card("late-card", front="Q?", back="A"))
    fd = os.open(path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another saver between its check and its write
    failed: list[BaseException] = []

    def save() -> None:
        try:
            deck.save()
        except BaseException as exc:
            failed.append(exc)

    worker = threading.Thread(target=save)
    worker.start()
    worker.join(0.3)
    assert worker.is_alive()  # waiting for the lock
    other = path.read_text("utf-8") + '\n[[cards]]\nid = "first-card"\nfront = "F?"\nback = "F"\n'
    atomic_write(path, other.encode("utf-8"))  # the other saver's write
    os.close(fd)
    worker.join(5)
    assert not worker.is_alive()
    assert len(failed) == 1 and isinstance(failed[0], DeckChangedOnDisk)
    assert path.read_text("utf-8") == other  # nothing lost


@pytest.mark.parametrize(
    ("tags", "kept"),
    [(("x", "y", "z"), ["# why x", "# why y"]), (("y",), ["# why y"]), (("x", "z"), ["# why x"])],
)
def test_changing_a_list_keeps_the_comments_of_its_items(
    tmp_path: Path, tags: tuple[str, ...], kept: list[str]
) -> None:
    """A tag added to a list written over lines rewrote it on one line, its comments lost."""
    path = tmp_path / "d.toml"
    path.write_text(
        HEAD
        + '\n[[cards]]\nid = "a"\nfront = "Q"\nback = "A"\ntags = [\n  "x",  # why x\n  "y",  # why y\n]\n',
        "utf-8",
    )
    deck_file = DeckFile.load(path)
    [card] = deck_file.deck().cards
    deck_file.upsert(replace(card, tags=tags))
    deck_file.save()
    after = path.read_text("utf-8")
    assert all(comment in after for comment in kept), after
    assert parse_deck(after).deck.cards[0].tags == tags  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (("x", "y"), ("y", "x")),
        (("x",), ("new", "x")),  # a new item before a kept one (found by test_random_edits_...)
        (("x", "y"), ("x", "y", "x")),
        (("x", "y"), ("x", "z")),
    ],
)
def test_a_list_edit_writes_the_new_order(
    tmp_path: Path, before: tuple[str, ...], after: tuple[str, ...]
) -> None:
    path = tmp_path / "d.toml"
    tags = ", ".join(f'"{t}"' for t in before)
    path.write_text(HEAD + f'\n[[cards]]\nid = "a"\nfront = "Q"\nback = "A"\ntags = [{tags}]\n', "utf-8")
    deck_file = DeckFile.load(path)
    [card] = deck_file.deck().cards
    deck_file.upsert(replace(card, tags=after))
    deck_file.save()
    assert parse_deck(path.read_text("utf-8")).deck.cards[0].tags == after  # type: ignore[union-attr]
