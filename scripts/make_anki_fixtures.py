"""Make the Anki fixture packages in tests/fixtures/anki/ with Anki's own backend.

Run in a separate venv that has the `anki` package (it is not a retain
dependency):

    python -m venv /work/anki-venv && /work/anki-venv/bin/pip install anki
    /work/anki-venv/bin/python scripts/make_anki_fixtures.py

It builds one small collection — Basic with HTML and an image, "Basic (and
reversed card)" with a sound, Cloze with a hint, "Basic (type in the answer)",
tags, a nested deck `Languages::Spanish`, and a few real reviews — and exports
it in Anki's three package layouts:

- `layout-latest.apkg`: `meta` + zstd `collection.anki21b` + zstd protobuf media
  list (what Anki writes today; it also holds the dummy "please update" anki2);
- `layout-anki21.apkg`: Anki's "support older versions" export
  (`collection.anki21`);
- `layout-anki2.apkg`: the oldest layout, `collection.anki2` (Anki's legacy
  export with the collection renamed, which is what Anki 2.0 wrote: schema 11).

It also writes `notes-plain-text.txt`, Anki's own "Notes in Plain Text"
export of the same collection. A JSON summary of what each file must import as
goes to `expected.json`.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from anki.collection import Collection, ExportAnkiPackageOptions

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "anki"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da6364f8cf00000003010100c9fe92ef0000000049454e44ae426082"
)


def build(col: Collection) -> dict[str, object]:
    mm = col.models
    spanish = col.decks.id("Languages::Spanish")
    general = col.decks.id("General Knowledge")
    col.media.write_data("tiny dot.png", PNG)
    col.media.write_data("hola.mp3", b"ID3\x03\x00fake mp3 bytes")

    def add(kind: str, fields: list[str], tags: list[str], did: int) -> int:
        note = col.new_note(mm.by_name(kind))
        for i, value in enumerate(fields):
            note.fields[i] = value
        note.tags = tags
        col.add_note(note, did)
        return note.id

    add(
        "Basic",
        ["What is the <b>capital</b> of France?", "<div>Paris</div><div>on the&nbsp;Seine</div>"],
        ["geo"],
        general,
    )
    add(
        "Basic", ['Which dot is this? <img src="tiny dot.png">', "A 1&times;1 PNG"], ["geo", "media"], general
    )
    add("Basic (and reversed card)", ["hola [sound:hola.mp3]", "hello"], ["es"], spanish)
    add(
        "Cloze",
        ["{{c1::Madrid}} is the capital of {{c2::Spain::country}}.", "Since 1561."],
        ["es", "geo"],
        spanish,
    )
    add("Basic (type in the answer)", ["Spanish for <i>cat</i>", "gato"], ["es"], spanish)
    # A few real reviews on the first card, so the package has a review log.
    card = col.get_card(col.find_cards("capital of France")[0])
    for ease in (3, 3):
        card.start_timer()
        col.sched.answerCard(card, ease)
        card = col.get_card(card.id)
    return {
        "notes": 5,
        "cards": 7,
        "decks": {"general-knowledge": 2, "languages-spanish": 3},
        "kinds": {"basic": 2, "reversed": 1, "cloze": 1, "typed": 1},
        "media": 2,
        "reviews": 2,
    }


def export(col: Collection, path: Path, legacy: bool) -> None:
    opts = ExportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=False, with_media=True, legacy=legacy
    )
    col.export_anki_package(out_path=str(path), options=opts, limit=None)


def to_anki2(src: Path, dst: Path) -> None:
    """Rewrite a legacy export so its collection is `collection.anki2` (the oldest layout)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in ("collection.anki2", "meta"):
                continue  # the dummy collection, and `meta` (which the oldest layout never had)
            data = zin.read(info.filename)
            name = "collection.anki2" if info.filename == "collection.anki21" else info.filename
            zout.writestr(name, data)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        col = Collection(str(Path(tmp) / "collection.anki2"))
        expected = build(col)
        export(col, OUT / "layout-latest.apkg", legacy=False)
        export(col, OUT / "layout-anki21.apkg", legacy=True)
        to_anki2(OUT / "layout-anki21.apkg", OUT / "layout-anki2.apkg")
        col.export_note_csv(
            out_path=str(OUT / "notes-plain-text.txt"),
            limit=None,
            with_html=True,
            with_tags=True,
            with_deck=True,
            with_notetype=True,
            with_guid=True,
        )
        col.close()
    for name in ("layout-latest.apkg", "layout-anki21.apkg", "layout-anki2.apkg"):
        with zipfile.ZipFile(OUT / name) as zf:
            print(name, sorted(zf.namelist()))
    (OUT / "expected.json").write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    shutil.rmtree(OUT / "__pycache__", ignore_errors=True)
    sys.exit(main())
