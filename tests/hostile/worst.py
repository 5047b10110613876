"""Generated worst-case deck files, one per known way to make a parser slow.

Shared by the hostile tests (`tests/hostile/`) and `benchmarks/bench_hostile.py`.
Each generator returns deck-file text of about `size` bytes that `retain check`
must read in time linear in its size.
"""

from __future__ import annotations

import json
from collections.abc import Callable

__all__ = ["DECKS", "HEAD", "HTML", "MARKDOWN", "TSV", "deck_with_text"]

HEAD = 'format = 1\n\n[deck]\nid = "hostile"\nname = "Hostile"\n\n'


def _repeat(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


def _toml_str(text: str) -> str:
    return json.dumps(text)  # a JSON string is a TOML basic string (escapes included)


def deck_with_text(text: str, kind: str = "cloze") -> str:
    field = "text" if kind == "cloze" else "front"
    extra = "" if kind == "cloze" else 'back = "b"\n'
    return HEAD + f'[[cards]]\nid = "c1"\nkind = "{kind}"\n{field} = {_toml_str(text)}\n{extra}'


def unclosed_openers(size: int) -> str:
    """`{{c1::` again and again, never closed: cubic for the old cloze regex."""
    return deck_with_text(_repeat("{{c1::", size))


def unclosed_with_one_close(size: int) -> str:
    """Openers, then one `}}` at the very end: every opener looks for it."""
    return deck_with_text(_repeat("{{c1::a::", size) + "}}")


def out_of_range_openers(size: int) -> str:
    """`{{c99999::` again and again, one `}}` at the end: each too-big opener looked for that `}}` anew."""
    return deck_with_text(_repeat("{{c99999::", size) + "}}")


def huge_cloze_number(size: int) -> str:
    """One cloze whose number has `size` digits (beyond Python's int-string limit)."""
    return deck_with_text("{{c" + "9" * size + "::x}} and {{c1::y}}")


def leading_zeros(size: int) -> str:
    return deck_with_text("{{c" + "0" * size + "1::x}}")


def many_cloze_numbers(size: int) -> str:
    """c1 .. c9999 and again: every number is a unit holding the whole text."""
    parts = []
    total = 0
    n = 0
    while total < size:
        n += 1
        part = f"{{{{c{(n - 1) % 9999 + 1}::w{n}}}}} "
        parts.append(part)
        total += len(part)
    return deck_with_text("".join(parts))


def many_deletions_one_number(size: int) -> str:
    """Thousands of deletions of one number, each answer different (the lint looks for each)."""
    parts = []
    total = 0
    n = 0
    while total < size:
        n += 1
        part = f"{{{{c1::answer{n}}}}} "
        parts.append(part)
        total += len(part)
    return deck_with_text("".join(parts))


def many_cloze_cards(size: int) -> str:
    """Many small cloze cards with a few numbers each: what an honest big deck looks like."""
    card = '[[cards]]\nid = "c{n}"\nkind = "cloze"\ntext = "The {{{{c1::leader}}}} of {{{{c2::partition {n}}}}} is {{{{c3::elected}}}}."\n\n'
    out = [HEAD]
    total = len(HEAD)
    n = 0
    while total < size:
        n += 1
        part = card.format(n=n)
        out.append(part)
        total += len(part)
    return "".join(out)


def many_unknown_tables(size: int) -> str:
    """Unknown top-level tables: each one's position is reported."""
    return HEAD + "".join(f"[x{n}]\na = 1\n" for n in range(max(1, size // 14)))


def many_unknown_card_keys(size: int) -> str:
    """One card with thousands of unknown keys."""
    keys = "".join(f"k{n} = 1\n" for n in range(max(1, size // 10)))
    return HEAD + '[[cards]]\nid = "c1"\nfront = "q"\nback = "a"\n' + keys


def many_bad_cards(size: int) -> str:
    """Thousands of cards, each with an error that names a position."""
    card = '[[cards]]\nid = "c{n}"\nkind = "nope"\nfront = 1\nzz{n} = 2\n\n'
    return HEAD + "".join(card.format(n=n) for n in range(max(1, size // 45)))


def many_duplicate_ids(size: int) -> str:
    card = '[[cards]]\nid = "same"\nfront = "q{n}"\nback = "a"\n\n'
    return HEAD + "".join(card.format(n=n) for n in range(max(1, size // 45)))


def headers_in_strings(size: int) -> str:
    """`[[cards]]` lines inside multi-line strings: the header scan must skip them."""
    card = '[[cards]]\nid = "c{n}"\nfront = """\n[[cards]]\nq{n}\n"""\nback = "a"\n\n'
    return HEAD + "".join(card.format(n=n) for n in range(max(1, size // 60)))


def long_typed_answer(size: int) -> str:
    return (
        HEAD + f'[[cards]]\nid = "t"\nkind = "typed"\nfront = "q"\nback = {_toml_str("ab" * (size // 2))}\n'
    )


def careful_path_unknown_keys(size: int) -> str:
    """Unknown card keys in a file the fast TOML reader may not take (an inline table): tomllib reads it all."""
    keys = "".join(f"k{n} = 1\n" for n in range(max(1, size // 10)))
    return HEAD + '[[cards]]\nid = "c1"\nfront = "q"\nback = "a"\nmeta = { a = 1 }\n' + keys


DECKS: dict[str, Callable[[int], str]] = {
    "unclosed_openers": unclosed_openers,
    "unclosed_with_one_close": unclosed_with_one_close,
    "out_of_range_openers": out_of_range_openers,
    "huge_cloze_number": huge_cloze_number,
    "leading_zeros": leading_zeros,
    "many_cloze_numbers": many_cloze_numbers,
    "many_deletions_one_number": many_deletions_one_number,
    "many_cloze_cards": many_cloze_cards,
    "many_unknown_tables": many_unknown_tables,
    "many_unknown_card_keys": many_unknown_card_keys,
    "careful_path_unknown_keys": careful_path_unknown_keys,
    "many_bad_cards": many_bad_cards,
    "many_duplicate_ids": many_duplicate_ids,
    "headers_in_strings": headers_in_strings,
    "long_typed_answer": long_typed_answer,
}


# Worst cases for the import parsers, at about `size` characters: Markdown (`.md`),
# Anki text (`.tsv`/`.csv`) and the Anki HTML of `.apkg` fields. The hostile tests
# run them small (`test_parse_time.py`); `bench_hostile.py --imports` times them.
_FRONT = "---\nname = 'x'\n---\n\n"

MARKDOWN: dict[str, Callable[[int], str]] = {
    "md_brackets": lambda size: _FRONT + "C: " + "[" * size + "\n",
    "md_many_cards": lambda size: _FRONT + _repeat("Q: q\nA: a\n\n", size),
    "md_meta_comments": lambda size: _FRONT + _repeat("<!-- retain {", size) + "\n",
    "md_escapes_and_images": lambda size: (
        _FRONT + "C: " + _repeat("\\[", size // 2) + _repeat("![", size // 2)
    ),
    "md_unclosed_front_matter": lambda size: "---\n" + _repeat("a = 1\n", size),
}
TSV: dict[str, Callable[[int], str]] = {
    "tsv_cloze_and_tags": lambda size: _repeat(f"{{{{c1::{'{{c1::' * 50}\t{'<a ' * 50}\n", size),
    "tsv_html_comments": lambda size: (
        "#separator:Tab\n#html:true\n" + _repeat("<!--", size // 2) + "\t" + _repeat("<!--", size // 2) + "\n"
    ),
    "tsv_long_header": lambda size: "#deck:" + "x" * (size // 2) + "\n" + _repeat("q\ta\n", size // 2),
    "tsv_quotes": lambda size: '"' * size,
}
HTML: dict[str, Callable[[int], str]] = {
    "html_unclosed_tags": lambda size: _repeat("<a ", size),
    "html_unclosed_attr": lambda size: _repeat('<img src="', size),
    "html_unclosed_comments": lambda size: _repeat("<!--", size),
    "html_nested": lambda size: _repeat("<div>", size),
    "html_entities": lambda size: _repeat("&amp", size),
    "html_script": lambda size: "<script>" + _repeat("</", size),
    "html_sound": lambda size: _repeat("[sound:", size),
}
