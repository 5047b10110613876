"""h14: real Anki between two retain steps: a package retain wrote is opened in Anki, one card's
field edited there, exported again and imported into retain. The edited card takes Anki's text
(the learner's edit wins over retain's hidden text); the unedited cards with media come back
exactly as written (before the fix they came back from their HTML: `![a described clip](...)`
as `![audio](...)`, blank lines and `*` lists lost)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retain.core.model import Card, Deck
from retain.interop.exporter import export_decks
from retain.interop.importer import read_file

from .anki_fixture import ANKI_PYTHON, run_anki
from .test_h14_hidden_text import NOW, _decks_dir, _imported

pytestmark = pytest.mark.skipif(
    not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)"
)

ANKI = r"""
import json, sys
from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageRequest, ImportAnkiPackageOptions
col_path, pkg, out, legacy = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "legacy"
col = Collection(col_path)
col.import_anki_package(ImportAnkiPackageRequest(package_path=pkg, options=ImportAnkiPackageOptions()))
edited = []
for nid in col.find_notes(""):
    note = col.get_note(nid)
    if note.guid == "vid/v":
        note.fields[0] = note.fields[0].replace("is this?", "is this clip?", 1)
        col.update_note(note)
        edited.append(note.guid)
opts = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=True, legacy=legacy)
col.export_anki_package(out_path=out, options=opts, limit=None)
print(json.dumps({"edited": edited}))
col.close()
"""

CARDS = (
    Card(
        id="v",
        front="**What** is this?\n\n- one\n- `code`\n\n![a described clip](vid.media/H.mov)",
        back="A *b*",
    ),
    Card(id="w", front="And this?\n\n* star\n\n![another clip](vid.media/H.mov)", back="__b__"),
    Card(id="i", front="Pic:\n\n![a described picture](vid.media/pic.png)\n\n* x", back="1. a\n\n2. b"),
    Card(id="s", front="Hear ![a described sound](vid.media/s.mp3) __now__", back="`b`"),
    Card(id="c", kind="cloze", text="{{c1::x}}\n\n* y ![in a cloze](vid.media/pic.png)", extra="*e*"),
)


@pytest.mark.parametrize("layout", ["legacy", "latest"])
def test_an_edit_in_anki_wins_and_unedited_media_cards_keep_retains_text(tmp_path: Path, layout: str) -> None:
    decks_dir = _decks_dir(tmp_path)
    deck = Deck(id="vid", name="Vid", cards=CARDS)
    package = tmp_path / "x.apkg"
    export_decks([deck], package, now=NOW, decks_dir=decks_dir)
    back = tmp_path / "from-anki.apkg"
    out = run_anki(tmp_path, ANKI, str(tmp_path / "c.anki2"), str(package), str(back), layout)
    assert json.loads(out.strip().splitlines()[-1])["edited"] == ["vid/v"]
    stage = tmp_path / "stage"
    stage.mkdir()
    bundle = read_file(back, stage)
    (after,) = bundle.decks
    by_id = {c.id: c for c in after.cards}
    edited = by_id.pop("v")
    assert "is this clip?" in edited.front  # Anki's text, read from its HTML
    assert edited.front != _imported(
        CARDS[0].front.replace("this?", "this clip?"), "vid", decks_dir / "vid.media"
    )
    folder = decks_dir / "vid.media"
    for card in CARDS[1:]:
        got = by_id[card.id]
        for side in ("front", "back", "text", "extra"):
            assert getattr(got, side) == _imported(getattr(card, side), "vid", folder), (card.id, side)
