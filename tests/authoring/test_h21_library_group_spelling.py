"""Group and deck names that differ only in Unicode form are one name.

`group = "Café"` (NFC, as most editors type it) and `group = "Cafe\\u0301"` (NFD, as macOS file
names come) looked the same but made two groups in `retain due` and the deck list, and a
`[groups."Café"]` limit held only one of them. A deck named from a Mac's file name (`Café Vocab`
in NFD) could not be named on the command line: `retain stats --deck "Café Vocab"` said there
was no such deck while listing it.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.cli import main
from retain.core.model import Deck, decks_in_group, decks_titled, group_key, group_label

DECK = 'format = 1\n[deck]\nid = "{id}"\nname = "{name}"\ngroup = "{group}"\n[[cards]]\nid = "c"\nfront = "Q {id}"\nback = "A"\n'
NFC, NFD = "Caf\u00e9", "Cafe\u0301"


@pytest.fixture
def decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    folder = tmp_path / "home" / "decks"
    folder.mkdir(parents=True)
    (folder / "a.toml").write_text(DECK.format(id="a", name="Deck a", group=NFC), "utf-8")
    (folder / "b.toml").write_text(DECK.format(id="b", name=f"{NFD} Vocab", group=NFD), "utf-8")
    (folder / "c.toml").write_text(DECK.format(id="c", name="Deck c", group="caf\u00e9 "), "utf-8")
    return folder


def test_due_shows_one_group_for_every_spelling(decks: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["due"]) == 0
    table = capsys.readouterr().out
    headers = [line.strip() for line in table.splitlines() if line.casefold().startswith("caf")]
    assert headers == [NFC], table  # one group, shown composed
    assert main(["due", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["decks"]
    ids = [r["id"] for r in rows]
    assert sorted(ids[ids.index("b") : ids.index("b") + 3]) == ["a", "b", "c"]  # listed together


@pytest.mark.parametrize("typed", [NFC, NFD, "CAF\u00c9"])
def test_a_group_is_named_on_the_command_line_in_either_form(
    decks: Path, capsys: pytest.CaptureFixture[str], typed: str
) -> None:
    assert main(["stats", "--deck", typed, "--json"]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("typed", [f"{NFC} Vocab", f"{NFD} Vocab"])
def test_a_deck_named_in_nfd_is_named_on_the_command_line_in_either_form(
    decks: Path, capsys: pytest.CaptureFixture[str], typed: str
) -> None:
    assert main(["stats", "--deck", typed, "--json"]) == 0, capsys.readouterr().err


_ACCENTED = st.text(alphabet="aAeEcC \u00e9\u00c9\u00e7\u0301\u0327", min_size=1, max_size=6)


@given(_ACCENTED, st.sampled_from(["NFC", "NFD", "NFKC"]), st.booleans())
def test_every_form_case_and_spacing_of_a_name_is_one_key(name: str, form: str, upper: bool) -> None:
    other = unicodedata.normalize(form, f"  {name.upper() if upper else name} ")  # type: ignore[arg-type]
    if unicodedata.normalize("NFC", other.casefold()) != unicodedata.normalize("NFC", name.casefold()):
        return  # (NFKC and case can change more than the form)
    assert group_key(other) == group_key(name)
    assert group_label(name) == unicodedata.normalize("NFC", " ".join(name.split()))
    decks = [Deck(id="x", name=name, group=name)]
    if group_key(name):
        assert decks_in_group(decks, other) == decks and decks_titled(decks, other) == decks
