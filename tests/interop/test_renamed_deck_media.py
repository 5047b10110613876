"""A deck imported under another id (its own is taken: `docker` -> `docker-2`) has its image
references re-pointed to the new media folder: every reference the study screen reads as an
image (`![y](<docker.media/H.png>)` in angle brackets too), and none written inside code. The
angle form kept the old folder (the card showed the image as missing), and a reference in a
code span was rewritten."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from retain.core.deckfile import parse_deck

from .conftest import run_cli

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_a_renamed_deck_repoints_every_image_and_no_code(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = hashlib.sha256(PNG).hexdigest() + ".png"
    src = tmp_path / "share"
    (src / "docker.media").mkdir(parents=True)
    (src / "docker.media" / name).write_bytes(PNG)
    front = (
        f"Angle ![a](<docker.media/{name}>), bare ![b](docker.media/{name}),"
        f" and as code `![c](docker.media/{name})`"
    )
    (src / "docker.toml").write_text(
        'format = 1\n[deck]\nid = "docker"\nname = "Shared Docker"\nversion = "1.0.0"\n\n'
        f'[[cards]]\nid = "pic"\nfront = \'{front}\'\nback = "b"\n',
        encoding="utf-8",
    )
    code, out, err = run_cli(capsys, "import", str(src / "docker.toml"))
    assert code == 0, err
    assert "importing as 'docker-2'" in out, out
    deck = parse_deck((home / "decks" / "docker-2.toml").read_text(encoding="utf-8")).deck
    assert deck is not None
    (card,) = deck.cards
    assert card.front.count(f"docker-2.media/{name}") == 2, card.front
    assert f"`![c](docker.media/{name})`" in card.front, card.front
    assert (home / "decks" / "docker-2.media" / name).read_bytes() == PNG
