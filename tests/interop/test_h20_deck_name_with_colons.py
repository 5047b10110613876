"""An ungrouped deck whose name holds `::` keeps no group through an `.apkg`.

A deck named `C++::STL` with no group came back from its own package with
`group = "C++"`: the home screen showed it under a new group. The `.csv`, `.tsv`,
`.md` and `.toml` round trips kept the group empty.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.core.model import Card, Deck
from retain.interop.exporter import export_decks
from retain.interop.importer import read_file

NOW = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("suffix", [".apkg", ".csv", ".md", ".toml"])
@pytest.mark.parametrize(("group", "name"), [("", "C++::STL"), ("Lang", "C++::STL"), ("", "plain")])
def test_a_deck_name_with_colons_keeps_its_group(tmp_path: Path, suffix: str, group: str, name: str) -> None:
    deck = Deck(id="stl", name=name, group=group, cards=(Card(id="v", front="vector?", back="array"),))
    out = tmp_path / f"stl{suffix}"
    export_decks([deck], out, now=NOW)
    stage = tmp_path / "stage"
    stage.mkdir()
    (back,) = read_file(out, stage).decks
    assert (back.group, back.name) == (group, name)
