"""Packages made by real Anki, in all three layouts, import the same decks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retain.core.model import Deck
from retain.interop.errors import LimitError
from retain.interop.importer import read_file
from retain.interop.limits import Limits

from .conftest import FIXTURES, run_cli, tree

LAYOUTS = ["layout-anki2.apkg", "layout-anki21.apkg", "layout-latest.apkg"]
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())


def _read(name: str, tmp_path: Path, with_history: bool = False) -> tuple[list[Deck], int, int]:
    stage = tmp_path / "stage"
    stage.mkdir(exist_ok=True)
    bundle = read_file(FIXTURES / name, stage, with_history=with_history)
    return bundle.decks, len(bundle.media), len(bundle.reviews)


@pytest.mark.parametrize("name", LAYOUTS)
def test_layout_imports_every_note(name: str, tmp_path: Path) -> None:
    decks, media, reviews = _read(name, tmp_path, with_history=True)
    assert {d.id: len(d.cards) for d in decks} == EXPECTED["decks"]
    kinds: dict[str, int] = {}
    for deck in decks:
        for card in deck.cards:
            kinds[card.kind] = kinds.get(card.kind, 0) + 1
    assert kinds == EXPECTED["kinds"]
    assert media == EXPECTED["media"]
    assert reviews == EXPECTED["reviews"]
    assert not any("update" in c.front.lower() for d in decks for c in d.cards)


def test_layouts_agree_card_for_card(tmp_path: Path) -> None:
    results = []
    for name in LAYOUTS:
        (tmp_path / name).mkdir()
        results.append(_read(name, tmp_path / name)[0])
    assert results[0] == results[1] == results[2]


def test_content_conversion(tmp_path: Path) -> None:
    decks, _, _ = _read("layout-latest.apkg", tmp_path)
    by_id = {d.id: d for d in decks}
    spanish = by_id["languages-spanish"]
    assert (spanish.name, spanish.group, spanish.tags) == ("Spanish", "Languages", ("es",))
    cards = {c.kind: c for c in spanish.cards}
    assert cards["cloze"].text == "{{c1::Madrid}} is the capital of {{c2::Spain::country}}."
    assert cards["cloze"].extra == "Since 1561."
    assert cards["cloze"].tags == ("geo",)
    assert cards["typed"].front == "Spanish for *cat*" and cards["typed"].back == "gato"
    assert cards["reversed"].front.startswith("hola ![audio](languages-spanish.media/")
    general = {c.back: c for c in by_id["general-knowledge"].cards}
    assert general["Paris\non the Seine"].front == "What is the **capital** of France?"
    assert "![image](general-knowledge.media/" in general["A 1×1 PNG"].front


def test_import_stores_media_under_hashes_and_reimport_updates_in_place(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "import", str(FIXTURES / "layout-latest.apkg"))
    assert code == 0, out
    files = tree(home / "decks")
    assert "general-knowledge.toml" in files and "languages-spanish.toml" in files
    media = [f for f in files if ".media/" in f]
    assert len(media) == 2
    assert all(len(Path(f).stem) == 64 for f in media)
    first = (home / "decks" / "languages-spanish.toml").read_text()
    # the same deck from another layout: same ids, nothing added, nothing duplicated
    code, out, _ = run_cli(capsys, "import", str(FIXTURES / "layout-anki2.apkg"))
    assert code == 0
    assert "0 added, 0 changed, 0 removed, 3 unchanged" in out
    assert tree(home / "decks") == files
    assert (home / "decks" / "languages-spanish.toml").read_text() == first
    code, out, err = run_cli(capsys, "check", str(home / "decks"))
    assert code == 0, out + err


def test_media_limit_per_file(tmp_path: Path) -> None:
    stage = tmp_path / "stage"
    stage.mkdir()
    with pytest.raises(LimitError, match="media-file size limit"):
        read_file(FIXTURES / "layout-latest.apkg", stage, Limits(max_media_bytes=20))


def test_ankis_own_plain_text_export_imports(tmp_path: Path) -> None:
    bundle = read_file(FIXTURES / "notes-plain-text.txt", tmp_path)
    assert {d.id: len(d.cards) for d in bundle.decks} == EXPECTED["decks"]
    kinds = sorted(c.kind for d in bundle.decks for c in d.cards)
    assert kinds == sorted(k for k, n in EXPECTED["kinds"].items() for _ in range(n))
    apkg = {c.text or c.back for d in _read("layout-latest.apkg", tmp_path)[0] for c in d.cards}
    text = {c.text or c.back for d in bundle.decks for c in d.cards}
    assert apkg == text  # same notes, same conversion, whichever way Anki exported them
