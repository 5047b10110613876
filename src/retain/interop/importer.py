"""Import any supported file into the user's deck folder: read, plan (diff), apply.

    with tempfile.TemporaryDirectory() as stage:
        bundle = read_file(path, Path(stage), limits)
        plan = plan_import(bundle, library, decks_dir)
        print(plan.diffs)               # what `--dry-run` shows
        apply_import(plan, decks_dir)   # media first, then each deck file atomically

Everything that can refuse (limits, damaged input, version downgrades, id
clashes) happens before the first write, so a refusal leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from retain.core.deckfile import parse_deck
from retain.core.deckwrite import deck_to_toml
from retain.core.model import Deck
from retain.interop.ankitext import read_anki_text
from retain.interop.apkg_read import read_apkg
from retain.interop.bundle import Bundle
from retain.interop.errors import InteropError
from retain.interop.limits import DEFAULT_LIMITS, Limits
from retain.interop.markdown import read_markdown
from retain.interop.media import referenced_media, store_media
from retain.interop.native import read_native
from retain.interop.progress import ProgressFn, no_progress
from retain.interop.upgrade import DeckDiff, compare_versions, diff_decks
from retain.store.files import atomic_write
from retain.store.library import Library

__all__ = ["IMPORT_SUFFIXES", "ImportPlan", "PlannedDeck", "apply_import", "plan_import", "read_file"]

IMPORT_SUFFIXES = (".toml", ".apkg", ".csv", ".tsv", ".txt", ".md")


def read_file(
    path: Path,
    stage: Path,
    limits: Limits = DEFAULT_LIMITS,
    *,
    with_history: bool = False,
    progress: ProgressFn = no_progress,
) -> Bundle:
    """Read one file by its extension; raises InteropError (LimitError) with a one-line message."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InteropError(f"{path}: no such file")
    if suffix == ".toml":
        return read_native(path, limits, with_history=with_history)
    if suffix == ".apkg":
        return read_apkg(path, stage, limits, with_history=with_history, progress=progress)
    if suffix in (".csv", ".tsv", ".txt"):
        return read_anki_text(path, limits, progress)
    if suffix == ".md":
        return read_markdown(path, limits)
    if suffix == ".colpkg":
        raise InteropError("a .colpkg is a whole Anki profile backup; export a deck as .apkg in Anki instead")
    raise InteropError(f"unknown file type {suffix or '(none)'}; use one of {', '.join(IMPORT_SUFFIXES)}")


@dataclass(slots=True)
class PlannedDeck:
    deck: Deck
    target: Path
    text: str
    diff: DeckDiff


@dataclass(slots=True)
class ImportPlan:
    bundle: Bundle
    decks: list[PlannedDeck] = field(default_factory=list)

    @property
    def diffs(self) -> list[DeckDiff]:
        return [d.diff for d in self.decks]


def _target(deck: Deck, library: Library, decks_dir: Path) -> tuple[Path, Deck | None]:
    entry = library.entry(deck.id)
    if entry is not None and entry.origin == "user":
        return entry.path, entry.deck
    if entry is not None and entry.origin != "bundled":
        raise InteropError(
            f"deck {deck.id!r} already lives in {entry.path} (a configured deck folder); "
            "update it there, or remove it before importing"
        )
    target = decks_dir / f"{deck.id}.toml"
    if target.exists():
        other = next((e for e in library.entries if e.path == target), None)
        what = f"deck {other.deck.id!r}" if other and other.deck else "a deck file that does not load"
        raise InteropError(f"{target} already exists and holds {what}; move it away first")
    return target, entry.deck if entry is not None else None


def plan_import(bundle: Bundle, library: Library, decks_dir: Path, *, force: bool = False) -> ImportPlan:
    if not bundle.decks or bundle.card_count == 0:
        raise InteropError("nothing to import: the file holds no cards")
    plan = ImportPlan(bundle)
    seen: set[str] = set()
    for deck in bundle.decks:
        if deck.id in seen:
            raise InteropError(f"the file holds deck id {deck.id!r} twice")
        seen.add(deck.id)
        target, old = _target(deck, library, decks_dir)
        if old is not None and compare_versions(deck.version, old.version) < 0 and not force:
            raise InteropError(
                f"deck {deck.id!r}: the file has version {deck.version}, older than the installed "
                f"{old.version}; use --force to downgrade"
            )
        text = bundle.texts.get(deck.id) or deck_to_toml(deck)
        check = parse_deck(text, str(target))
        if check.deck is None or check.errors:
            raise InteropError(f"deck {deck.id!r} would not load after import: {check.errors[0]}")
        plan.decks.append(PlannedDeck(deck, target, text, diff_decks(old, deck)))
    return plan


def apply_import(plan: ImportPlan, decks_dir: Path, progress: ProgressFn = no_progress) -> int:
    """Write media, then each deck file atomically. Returns the number of media files written."""
    written = 0
    for n, planned in enumerate(plan.decks, 1):
        names = referenced_media(planned.deck)
        written += store_media(decks_dir, planned.deck.id, names, plan.bundle.media)
        atomic_write(planned.target, planned.text)
        progress("write decks", n, len(plan.decks))
    return written
