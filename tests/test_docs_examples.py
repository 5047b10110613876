"""The docs' examples hold: config.toml blocks load cleanly, deck examples pass `retain check`, key ids are listed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retain.cli import main
from retain.store.config import parse_config

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DECK_WRAP = 'format = 1\n\n[deck]\nid = "k8s"\nname = "K8s"\n\n'


def _toml_blocks(path: Path) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def _config_blocks() -> list[tuple[str, str]]:
    """Every ```toml block of the docs that is a config.toml (not a deck, not a state file)."""
    out = []
    for path in DOCS:
        for i, block in enumerate(_toml_blocks(path)):
            if path.name == "state-format.md" or "[deck]" in block or "[[cards]]" in block:
                continue
            if block.lstrip().startswith(("front", "format")):
                continue
            out.append((f"{path.name}#{i}", block))
    return out


@pytest.mark.parametrize(("where", "block"), _config_blocks(), ids=[w for w, _ in _config_blocks()])
def test_config_examples_load_without_warnings(where: str, block: str) -> None:
    from retain.ui.settings_apply import keymap_warnings

    config = parse_config(block)
    assert config.warnings == ()
    assert keymap_warnings(dict(config.keymap)) == []


def _deck_blocks() -> list[tuple[str, str]]:
    path = ROOT / "docs" / "deck-format.md"
    out = []
    for i, block in enumerate(_toml_blocks(path)):
        if "[deck]" not in block:
            block = DECK_WRAP + (block if "[[cards]]" in block else '[[cards]]\nid = "x"\n' + block)
        out.append((f"deck-format.md#{i}", block))
    return out


@pytest.mark.parametrize(("where", "block"), _deck_blocks(), ids=[w for w, _ in _deck_blocks()])
def test_deck_format_examples_pass_check(
    where: str,
    block: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    deck = tmp_path / "k8s.toml"
    deck.write_text(block, encoding="utf-8")
    for name in re.findall(r"k8s\.media/([\w.-]+)", block):  # the media an example uses, as a deck has them
        (tmp_path / "k8s.media").mkdir(exist_ok=True)
        (tmp_path / "k8s.media" / name).write_bytes(b"")
    assert main(["check", str(deck)]) == 0
    captured = capsys.readouterr()
    assert "warning" not in captured.out, captured.out
    assert "0 error(s), 0 warning(s)" in captured.out + captured.err


def test_state_format_legend_has_one_row_per_key() -> None:
    text = (ROOT / "docs" / "state-format.md").read_text(encoding="utf-8")
    keys = re.findall(r"^\| `(\w+)` \| kind", text, re.M)
    assert keys == ["k"]


def test_authoring_doc_names_every_authoring_binding_id() -> None:
    from retain.ui.app import binding_sections

    text = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    from textual.binding import Binding

    prefixes = ("browser.", "editor.", "new_deck.", "confirm.")
    ids = {
        b.id
        for _, bindings in binding_sections()
        for b in bindings
        if isinstance(b, Binding) and b.id is not None and b.id.startswith(prefixes)
    }
    missing = sorted(i for i in ids if f"`{i}`" not in text)
    assert missing == []


def test_a_config_syntax_error_names_the_file_once_with_its_place(tmp_path: Path) -> None:
    """`retain: /…/config.toml: config.toml:13:20: TOML syntax: …` named the file twice."""
    from retain.store.config import ConfigError, load_config

    path = tmp_path / "config.toml"
    path.write_text("rollover_hour = 4\nparameters = [0.2, ...]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}:2:"), str(caught.value)
    assert str(caught.value).count("config.toml") == 1
