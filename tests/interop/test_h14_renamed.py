"""h14: a deck imported under a new id (its own is taken: `pics` -> `pics-2`) has each media
reference re-pointed by its folder alone: the target's angle brackets, its backslash escapes, the
description and a title stay as written, so every reference names the same file in the new
folder. (The `.toml` and `.md` imports that point a reference at a content-hash name write it
anew, `![alt](DECK.media/HASH.ext)`, by design: `test_h6_mdfollow`.)

Before: `_renamed` rebuilt each one as a bare `![alt](NEW.media/NAME)`, so
`![x](<pics.media/my file.png>)` became `![x](pics-2.media/my file.png)` (text, not an image),
`![y](pics.media/a\\)b.png)` became `![y](pics-2.media/a)b.png)` (a reference to `a`, then text),
and a title was dropped."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.mediaref import image_refs, is_safe_name, media_refs, ref_target
from retain.core.model import Card, Deck
from retain.interop.importer import _renamed

from .conftest import run_cli

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HASHED = hashlib.sha256(PNG).hexdigest() + ".png"
# Files shared without the media folder keep their names (the import warns), as does a file
# already named by its content hash (a retain export's): neither is renamed by the import.
FRONT = "Spaces ![x](<pics.media/my file.png>) esc ![y](pics.media/a\\)b.png), code `![c](pics.media/a.png)`"
BACK = f"Titled ![z](<pics.media/{HASHED}> \"a title\") ![w](pics.media/{HASHED} 't2')"


def _deck(folder: Path, name: str, card: str, front: str, back: str = "b") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pics.toml"
    path.write_text(
        f'format = 1\n[deck]\nid = "pics"\nname = "{name}"\n\n'
        f"[[cards]]\nid = \"{card}\"\nfront = '''{front}'''\nback = '''{back}'''\n",
        encoding="utf-8",
    )
    return path


def test_a_deck_imported_under_a_taken_id_keeps_each_reference_as_written(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "import", str(_deck(tmp_path / "a", "Pics A", "a1", "q")))
    assert code == 0, err
    shared = _deck(tmp_path / "b", "Pics B", "b1", FRONT, BACK)
    (shared.parent / "pics.media").mkdir()
    (shared.parent / "pics.media" / HASHED).write_bytes(PNG)
    code, out, err = run_cli(capsys, "import", str(shared))
    assert code == 0, err
    assert "importing as 'pics-2'" in out, out

    deck = parse_deck((home / "decks" / "pics-2.toml").read_text(encoding="utf-8")).deck
    assert deck is not None
    (card,) = deck.cards
    head, code_span = FRONT.split(" code ")
    want = head.replace("](pics.media/", "](pics-2.media/").replace("](<pics.media/", "](<pics-2.media/")
    assert card.front == f"{want} code {code_span}"
    assert card.back == BACK.replace("pics.media/", "pics-2.media/")
    assert [(r.alt, r.folder, r.name) for r in media_refs(card.front + card.back)] == [
        ("x", "pics-2", "my file.png"),
        ("y", "pics-2", "a)b.png"),
        ("z", "pics-2", HASHED),
        ("w", "pics-2", HASHED),
    ]
    # The files the import could not find, put in the new folder: every reference now opens.
    for name in ("my file.png", "a)b.png"):
        (home / "decks" / "pics-2.media" / name).write_bytes(PNG)
    code, out, err = run_cli(capsys, "check", str(home / "decks" / "pics-2.toml"))
    assert code == 0, err
    assert "not found" not in out + err, out + err
    assert "0 warning(s)" in out + err, out + err


_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
_NAMES = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30
)
_TITLES = st.sampled_from(["", ' "a title"', " 'it\\'s'", ' "q \\" x"'])


@st.composite
def _written(draw: st.DrawFn) -> tuple[str, str, str, str]:
    """(reference, alt, name, title as written): a name of `old.media/` written any way
    CommonMark reads it: bare or in angle brackets, with its punctuation escaped or as is."""
    name = draw(_NAMES.filter(lambda n: is_safe_name(n) and n.strip() == n and "`" not in n))  # (no code)
    alt = draw(st.sampled_from(["", "a pic", "audio"]))
    title = draw(_TITLES)
    blank = re.search(r"\s", name) is not None
    angle = blank or draw(st.booleans())
    if angle:
        written = re.sub(r"([<>\\])", r"\\\1", name) if not draw(st.booleans()) else _PUNCT.sub(r"\\\1", name)
        prefix = draw(st.sampled_from(["old.media/", "old\\.media/", "old.media\\/"]))
        target = f"<{prefix}{written}>"
    else:
        written = (
            re.sub(r"([()<>\\])", r"\\\1", name) if not draw(st.booleans()) else _PUNCT.sub(r"\\\1", name)
        )
        prefix = draw(st.sampled_from(["old.media/", "old\\.media/", "old.media\\/"]))
        target = f"{prefix}{written}"
    return f"![{alt}]({target}{title})", alt, name, title


@given(ref=_written(), new_id=st.sampled_from(["old-2", "o", "a-much-longer-deck-id-2"]))
def test_renaming_changes_the_folder_alone(ref: tuple[str, str, str, str], new_id: str) -> None:
    written, alt, name, title = ref
    text = f"see {written} here, `{written}` as code"
    deck = Deck("old", "Old", (Card("c", front=text, back=text, extra=text),))
    (card,) = _renamed(deck, new_id).cards
    for value in (card.front, card.back, card.extra):
        refs = list(image_refs(value))
        assert len(refs) == 1, value  # (the one in code is text)
        (m,) = refs
        assert (m["alt"], ref_target(m), m["title"] or "") == (alt, f"{new_id}.media/{name}", title.strip())
        assert value[: m.start()] == "see " and value[m.end() :] == f" here, `{written}` as code"
        assert [(r.folder, r.name) for r in media_refs(value)] == [(new_id, name)]
