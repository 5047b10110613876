"""How long saving one edited card, and deleting one card, takes in a big deck file.

    python benchmarks/bench_deckedit.py [--cards 1000 5000] [--repeat 5]

Each deck file is written by `core.deckwrite` and then given what authors write
by hand: a comment above every tenth card and a multi-line back on every
seventh. Figures are medians in milliseconds, for a card in the middle:

- before: the whole-file path this module used up to 7c583e1 (parse the deck to
  find the card, tomlkit parse + edit + dump of the whole file, parse again to
  validate, write); it is still the fallback for shapes the splice refuses;
- cold: `DeckFile.load` + `upsert`/`remove` + `save` in a process that has not
  seen this file yet (one whole-file parse to know the text is clean);
- warm: the same right after the editor read the card (`read_card` calls
  `DeckFile.deck()`): what a save from the editor costs (it scans the file once);
- next: the same after an earlier save of another card (scan already known);
- open: `DeckFile.load(...).deck()` on a file this process just saved.
The file is restored after each run; writes are durable (fsync), as in the app.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import tomlkit

from retain.core.deckfile import parse_deck
from retain.core.deckwrite import deck_to_toml
from retain.core.model import Card, Deck
from retain.store.decks import deckedit
from retain.store.decks.deckedit import DeckFile
from retain.store.files import atomic_write

__all__ = ["main"]


def make_deck_text(n: int) -> str:
    cards = tuple(
        Card(
            f"card-{i}",
            front=f"Question {i}: what does the leader do when a follower falls behind?",
            back=f"Answer {i}: it resends the log entries from the follower's last index.",
            tags=("raft", f"part-{i % 7}"),
            source=f"Q{i}",
        )
        for i in range(n)
    )
    text = deck_to_toml(Deck("bench", "Bench deck", cards=cards))
    out: list[str] = []
    for i, part in enumerate(text.split("[[cards]]\n")):
        if i and (i - 1) % 10 == 0:
            out.append(f"# Section {(i - 1) // 10}: cards about log replication\n")
        if i and (i - 1) % 7 == 0:
            part = part.replace('back = "Answer', 'back = """\nFirst line.\n\nAnswer', 1).replace(
                '."\n', '."""\n', 1
            )
        out.append(("[[cards]]\n" if i else "") + part)
    return "".join(out)


def _before_upsert(path: Path, card: Card) -> None:
    text = path.read_text("utf-8")
    assert parse_deck(text, str(path)).deck is not None
    doc = tomlkit.parse(text)
    table = next(t for t in doc["cards"] if t.get("id") == card.id)
    table["back"] = card.back
    new = tomlkit.dumps(doc)
    assert not parse_deck(new, str(path)).errors
    atomic_write(path, new.encode("utf-8"))


def _before_remove(path: Path, card_id: str) -> None:
    text = path.read_text("utf-8")
    doc = tomlkit.parse(text)
    cards = doc["cards"]
    del cards[next(i for i, t in enumerate(cards) if t.get("id") == card_id)]
    new = tomlkit.dumps(doc)
    assert not parse_deck(new, str(path)).errors
    atomic_write(path, new.encode("utf-8"))


def _after_upsert(path: Path, card: Card) -> None:
    deck_file = DeckFile.load(path)
    deck_file.upsert(card)
    deck_file.save()


def _after_remove(path: Path, card_id: str) -> None:
    deck_file = DeckFile.load(path)
    deck_file.remove(card_id)
    deck_file.save()


def _median_ms(
    path: Path, original: bytes, run: Callable[[], None], prepare: Callable[[], None], repeat: int
) -> float:
    times = []
    for _ in range(repeat):
        atomic_write(path, original, durable=False)
        deckedit._KNOWN.clear()
        prepare()
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    atomic_write(path, original, durable=False)
    return statistics.median(times)


def bench(n: int, repeat: int, folder: Path) -> None:
    path = folder / f"bench-{n}.toml"
    original = make_deck_text(n).encode("utf-8")
    atomic_write(path, original, durable=False)
    middle = DeckFile.load(path).deck().cards[n // 2]
    edited = Card(
        middle.id, middle.kind, middle.front, "An edited answer.", tags=middle.tags, source=middle.source
    )
    print(f"{n} cards, {len(original) / 1e3:.0f} kB:")

    def nothing() -> None:
        pass

    def editor_opened() -> None:
        DeckFile.load(path).deck()

    def saved_another() -> None:
        _after_upsert(path, Card(other.id, other.kind, other.front, "Another edit.", tags=other.tags))

    other = DeckFile.load(path).deck().cards[n // 3]
    slow = max(1, min(repeat, 3))
    rows = [
        ("save one card", lambda: _before_upsert(path, edited), lambda: _after_upsert(path, edited)),
        ("delete one card", lambda: _before_remove(path, middle.id), lambda: _after_remove(path, middle.id)),
    ]
    for label, before, after in rows:
        b = _median_ms(path, original, before, nothing, slow)
        cold = _median_ms(path, original, after, nothing, repeat)
        warm = _median_ms(path, original, after, editor_opened, repeat)
        nxt = _median_ms(path, original, after, saved_another, repeat)
        print(f"  {label:16} before {b:8.1f}   cold {cold:7.1f}   warm {warm:6.1f}   next {nxt:6.1f}   ms")

    def open_after_save() -> None:
        _after_upsert(path, edited)

    opened = _median_ms(path, original, editor_opened, open_after_save, repeat)
    print(f"  {'open after save':16} {opened:6.1f} ms (deck() derived from the save, no whole-file parse)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cards", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.cards:
            bench(n, args.repeat, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
