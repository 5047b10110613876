"""Parse a deck, edit one card, parse again: every other card's text stays byte for byte.

Decks with the shapes authors write and `test_deckedit`'s property leaves out: `[cards.aliases]`
(and unknown `[cards.x]`) sub-tables with blank lines and comments above them, comments and blank
lines between a card's keys, lists over several lines with comments, inline `aliases` tables, tabs,
CRLF, a byte-order mark, a last card without a final newline. Such a file goes through tomlkit
whole (the scan does not vouch for sub-tables), so this is where layout went astray.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.deckwrite import toml_string, toml_text
from retain.core.model import Card, Deck
from retain.store.decks.deckedit import DeckFile

HEAD = 'format = 1 # v1\n\n[deck]\nid = "d"\nname = "D"\t# tab before\n'
ALPHABET = "ab Z09é\t\"'\\#[]={}.:\n"
texts = st.text(ALPHABET, max_size=10)
words = st.lists(st.text("abcxyz-", min_size=1, max_size=5), max_size=3, unique=True).map(tuple)


def _bare(card: Card) -> Card:
    return replace(card, line=0)


def _value(draw: st.DrawFn, value: str) -> str:
    """`value` as a TOML string in one of the styles authors write."""
    style = draw(st.sampled_from(["basic", "text", "literal", "mll"]))
    if (
        style == "literal"
        and not any(c in value for c in "'\n\r\x7f")
        and all(ord(c) >= 32 or c == "\t" for c in value)
    ):
        return f"'{value}'"
    if style == "mll" and "'''" not in value and not value.endswith("'") and "\r" not in value:
        return "'''\n" + value + "'''"
    return toml_text(value) if style == "text" else toml_string(value)


def _list(draw: st.DrawFn, values: tuple[str, ...], indent: str) -> str:
    if draw(st.booleans()) or not values:
        return "[" + ", ".join(toml_string(v) for v in values) + "]"
    items = "".join(f"{indent}  {toml_string(v)}, # note {v}\n" for v in values)
    return "[\n" + items + indent + "]"


@dataclass
class Drawn:
    card: Card
    text: str  # from the comment right above its header to its last line
    sep: str  # what follows it, up to the next card's text


@st.composite
def tables(draw: st.DrawFn, card_id: str) -> Drawn:
    typed = draw(st.booleans())
    front, back = "Q" + draw(texts), "a, b" if typed else draw(texts)
    aliases = (("x", "a"), ("y-z", "b")) if typed and draw(st.booleans()) else ()
    tags, extra = draw(words), draw(texts)
    indent = draw(st.sampled_from(["", "", "  ", "\t"]))
    lines = [("id", toml_string(card_id))]
    if typed:
        lines += [("kind", '"typed"')]
    lines += [("front", _value(draw, front)), ("back", _value(draw, back))]
    if extra:
        lines.append(("extra", _value(draw, extra)))
    if typed:
        lines.append(("match", '"set"'))
    if tags:
        lines.append(("tags", _list(draw, tags, indent)))
    body = ""
    for key, value in lines:
        between = draw(st.sampled_from(["", "", "", f"{indent}# on {key}\n", "\n"]))
        tail = draw(st.sampled_from(["", "", "  # why\t", "\t"]))
        body += between + f"{indent}{key} = {value}{tail}\n"
    sub = (
        draw(st.sampled_from(["none", "aliases", "notes"]))
        if aliases
        else draw(st.sampled_from(["none", "notes"]))
    )
    if aliases:
        if sub == "aliases":
            above = draw(st.sampled_from(["", "\n", "\n\n", "\n# the aliases\n", "# tight\n"]))
            header = draw(
                st.sampled_from(["[cards.aliases]", "  [cards.aliases]", "[cards.aliases]  # spellings"])
            )
            pairs = "".join(f'{indent}"{k}" = {toml_string(v)}\n' for k, v in aliases)
            body += above + header + "\n" + pairs
        else:
            pairs = ", ".join(f"{k} = {toml_string(v)}" for k, v in aliases)
            body += f"{indent}aliases = {{ {pairs} }}\n"
    if sub == "notes":  # an unknown sub-table: a warning, kept as written
        body += draw(st.sampled_from(["", "\n"])) + "[cards.notes]\nseen = 1\n"
    lead = draw(st.sampled_from(["", "", "# about " + card_id + "\n"]))
    header = draw(st.sampled_from(["[[cards]]", "[[ cards ]]  # card", '[["cards"]]', "  [[cards]]"]))
    sep = draw(st.sampled_from(["", "\n", "\n\n", "\n# loose\n\n", "\n# loose\n"]))
    card = Card(
        card_id,
        "typed" if typed else "basic",
        front=front,
        back=back,
        extra=extra,
        tags=tags,
        match="set" if typed else "",
        aliases=aliases,
    )
    return Drawn(card, lead + header + "\n" + body, sep)


@st.composite
def decks(draw: st.DrawFn) -> tuple[list[Drawn], bool, bool, bool]:
    drawn = [draw(tables(f"c{i}")) for i in range(draw(st.integers(1, 4)))]
    drawn[-1].sep = draw(st.sampled_from(["", "", "\n", "\n# the end\n"]))
    no_eol = not drawn[-1].sep and draw(st.booleans())
    if no_eol:
        drawn[-1].text = drawn[-1].text.removesuffix("\n")
    return drawn, no_eol, draw(st.booleans()), draw(st.booleans())  # crlf, bom


def _text(drawn: list[Drawn], nl: str) -> str:
    return (HEAD + "\n" + "".join(d.text + d.sep for d in drawn)).replace("\n", nl)


def _parsed(text: str) -> Deck:
    result = parse_deck(text)
    assert result.deck is not None and not result.errors, result.problems
    return result.deck


@st.composite
def edited(draw: st.DrawFn, card: Card) -> Card:
    """`card` with some of its fields changed (aliases too, on a typed card)."""
    changes: dict[str, object] = {}
    if draw(st.booleans()):
        changes["front"] = "Q" + draw(texts)
    if draw(st.booleans()):
        changes["back"] = "a, b" if card.kind == "typed" else draw(texts)
    if draw(st.booleans()):
        changes["extra"] = draw(texts)
    if draw(st.booleans()):
        changes["tags"] = draw(words)
    if card.kind == "typed" and draw(st.booleans()):
        changes["aliases"] = draw(st.sampled_from([(), (("x", "a"),), (("x", "b"), ("w", "a"))]))
    return replace(card, **changes)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(deck=decks(), data=st.data())
def test_one_card_edited_leaves_every_other_card_byte_identical(
    tmp_path: Path, deck: tuple[list[Drawn], bool, bool, bool], data: st.DataObject
) -> None:
    drawn, _no_eol, crlf, bom = deck
    nl = "\r\n" if crlf else "\n"
    original = _text(drawn, nl)
    assert [_bare(c) for c in _parsed(original).cards] == [d.card for d in drawn]
    path = tmp_path / "d.toml"
    path.write_bytes((("\ufeff" if bom else "") + original).encode("utf-8"))
    k = data.draw(st.integers(0, len(drawn) - 1))
    change = data.draw(st.sampled_from(["edit", "remove", "move", "append"]))
    deck_file = DeckFile.load(path)
    expected = [d.card for d in drawn]
    other = tmp_path / "other.toml"
    other.write_bytes((HEAD + '\n[[cards]]\nid = "o"\nfront = "O"\n').replace("\n", nl).encode())
    if change == "edit":
        expected[k] = data.draw(edited(drawn[k].card))
        deck_file.upsert(expected[k])
    elif change == "append":
        expected.append(Card("new", front="N", back="n"))
        deck_file.upsert(expected[-1])
    else:
        moved = expected.pop(k)
        comment = True
        if change == "move":  # as card_edits.move_card does it
            target = DeckFile.load(other)
            comment = target.upsert(moved, deck_file.table_text(moved.id))
            target.save()
            moved_deck = _parsed(other.read_bytes().decode("utf-8"))
            assert [_bare(c) for c in moved_deck.cards][1:] == [moved]
        deck_file.remove(moved.id, comment=comment)
    deck_file.save()
    raw = path.read_bytes().decode("utf-8")
    assert raw.startswith("\ufeff") == bom
    text = raw.removeprefix("\ufeff")
    assert [_bare(c) for c in _parsed(text).cards] == expected
    # every other card's text, its sub-tables and the blank lines above them included, is there as it was
    pos = 0
    for i, d in enumerate(drawn):
        if i == k and change != "append":
            continue
        own = d.text.replace("\n", nl)
        found = text.find(own, pos)
        assert found >= 0, (i, own, text)
        pos = found + len(own)
    if change == "edit":  # the text before the card and after it is as it was
        before = _text(drawn[:k], nl) if k else (HEAD + "\n").replace("\n", nl)
        assert text.startswith(before)
        after = "".join((d.text + d.sep) for d in drawn[k + 1 :])
        assert text.endswith((drawn[k].sep + after).replace("\n", nl))
