"""The docs' examples hold: config.toml blocks load cleanly, deck examples pass `retain check`, key ids are listed."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from retain.cli import main
from retain.core.settings import StudySettings
from retain.store.config import TOP_LEVEL_KEYS, ConfigError, parse_config

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


def _settings_file_block() -> dict[str, Any]:
    """The "The file" block of docs/settings.md, read as TOML."""
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    block = re.search(r"## The file\n+```toml\n(.*?)```", text, re.S)
    assert block is not None
    return tomllib.loads(block.group(1))


def test_the_settings_doc_shows_every_key_the_loader_reads_and_no_other() -> None:
    """docs/settings.md's file is the reference: a key added to the loader and not shown there (or
    shown and since removed) is a setting no one can find (or one that stops every command)."""
    shown = _settings_file_block()
    assert sorted(shown) == sorted(TOP_LEVEL_KEYS)
    study_keys = {f.name for f in dataclasses.fields(StudySettings)} - {"preset", "parameters"}
    assert sorted(shown["study"]) == sorted(study_keys)  # `parameters` is shown commented out
    assert "# parameters = [" in (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")


def test_the_settings_doc_shows_the_built_in_defaults() -> None:
    """The doc says `[study]` takes "the built-in default shown above": each value shown is it."""
    shown = _settings_file_block()
    defaults = parse_config("")
    loaded = parse_config(tomli_w.dumps({"study": shown["study"]}))
    assert loaded.study == defaults.study
    for key in ("rollover_hour", "learn_ahead_minutes", "theme"):
        assert shown[key] == getattr(defaults, key), key


_RANGE = re.compile(r"^\s*(\w+)\s*=\s*[^#\n]*#\D*?(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)")


def _documented_ranges() -> list[tuple[str, str, str, str, str]]:
    """(where, table, key, low, high) for every `key = value  # ... LOW-HIGH` of a config block."""
    out = []
    for where, block in _config_blocks():
        table = ""
        for line in block.splitlines():
            header = re.match(r"^\[([^\]]+)\]", line)
            if header:
                table = header.group(1)
            elif found := _RANGE.match(line):
                key, low, high = found.groups()
                out.append((where, table, key, low, high))
    return out


@pytest.mark.parametrize(
    ("where", "table", "key", "low", "high"),
    _documented_ranges(),
    ids=[f"{w}:{t}.{k}" for w, t, k, _, _ in _documented_ranges()],
)
def test_a_documented_range_is_the_loaders(where: str, table: str, key: str, low: str, high: str) -> None:
    """Each range the docs give in a comment (`new_per_day = 20  # 0-9999`) is what the loader takes:
    both ends load, a step past either end is refused in one line naming the key."""
    step = "1" if "." not in low + high else "0.01"

    def config(value: str) -> str:
        head = f"[{table}]\n" if table else ""
        if table.startswith("exam"):
            head += "date = 2099-01-01\n"
        return f"{head}{key} = {value}\n"

    for value in (low, high):
        parse_config(config(value))
    for value in (repr(float(low) - float(step)), repr(float(high) + float(step))):
        value = value.removesuffix(".0") if step == "1" else str(round(float(value), 2))
        with pytest.raises(ConfigError, match=re.escape(key)):
            parse_config(config(value))


def test_the_docs_give_ranges_to_check() -> None:
    assert len(_documented_ranges()) >= 8


def test_the_sharing_docs_import_beside_example_is_what_retain_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/sharing.md's `retain import ~/notes/Docker.md`, run on the file it describes (with the
    bundled `docker` deck installed): the example left out the `+ card` lines the import prints."""
    text = (ROOT / "docs" / "sharing.md").read_text(encoding="utf-8")
    block = re.search(r"```\n\$ retain import ~/notes/Docker\.md\n(.*?)```", text, re.S)
    assert block is not None
    intro = text[: block.start()].rstrip().rsplit("\n\n", 1)[-1].replace("\n", " ")
    questions = re.findall(r"`(Q: [^`]*|C: [^`]*)`", intro)
    assert len(questions) == 3, intro
    cards = "\n\n".join(q if q.startswith("C:") else f"{q}\nA: an answer." for q in questions)
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "Docker.md").write_text(cards + "\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "notes" / "Docker.md")]) == 0
    out = capsys.readouterr()
    printed = (out.err + out.out).replace(str(tmp_path / "home" / "decks"), "~/.local/share/retain/decks")
    assert sorted(printed.splitlines()) == sorted(block.group(1).splitlines())
