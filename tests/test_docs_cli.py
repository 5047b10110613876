"""The command line as the docs show it: every option `--help` lists is in the README's summary,
and every `retain ...` command in a fenced block of the docs parses."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from retain.cli import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _readme_summary() -> dict[str, str]:
    """The README's "Command line" block, by command: its `retain NAME` lines and their
    continuation lines (those that start with spaces)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Command line\n+```\n(.*?)```", text, re.S)
    assert block is not None
    found: dict[str, str] = {}
    name = ""
    for line in block.group(1).splitlines():
        if line.startswith("retain "):
            name = line.split()[1]
        if name:
            found[name] = found.get(name, "") + line + "\n"
    return found


@pytest.mark.parametrize("command", list(COMMANDS))
def test_the_readme_summary_names_every_option_of_the_command(command: str) -> None:
    """`retain add --extra`, `--id`, `import --force` and `export --force` were in `--help` only."""
    summary = _readme_summary().get(command, "")
    assert summary, f"`retain {command}` is not in the README's command summary"
    missing = [
        "/".join(action.option_strings)
        for action in _subparsers()[command]._actions
        if action.option_strings
        and "--help" not in action.option_strings
        and not any(re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", summary) for o in action.option_strings)
    ]
    assert missing == [], f"retain {command}: {missing} not in the README's command summary"


def test_the_one_line_help_of_stats_says_what_the_readme_says_it_prints() -> None:
    """`retain --help` still said stats prints "cards by state, reviews today, streak"."""
    said = _readme_summary()["stats"].split("--svg FILE [--force]]")[1]
    for word in ("forecast", "calendar", "retention", "counts"):
        assert word in said
        assert word in COMMANDS["stats"][1]


def _fenced_blocks(text: str) -> list[tuple[str, list[str]]]:
    """(language, lines) of every fenced block of a Markdown text."""
    blocks: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("```"):
            if current is None:
                current = []
                blocks.append((line[3:].strip(), current))
            else:
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def _fenced_commands() -> list[tuple[str, str]]:
    """Every `retain ...` command line (or `$ retain ...`) of a shell or plain fenced block:
    not a synopsis (`retain stats [--deck ID|GROUP] ...`), not the README's summary."""
    out = []
    for path in DOCS:
        for language, lines in _fenced_blocks(path.read_text(encoding="utf-8")):
            if language not in ("", "sh", "bash", "console"):
                continue
            for line in lines:
                line = line.strip().removeprefix("$ ")
                if not line.startswith("retain "):
                    continue
                command, _, said = line.partition("  ")
                if said.strip() and not said.lstrip().startswith("#"):
                    continue  # the README's summary: `retain locate    print config, ...`
                argv = shlex.split(command)[1:]
                if any(a.startswith("[") or a.isupper() or "|" in a or "..." in a for a in argv):
                    continue
                out.append((f"{path.name}: {command}", command))
    return out


@pytest.mark.parametrize(("where", "line"), _fenced_commands(), ids=[w for w, _ in _fenced_commands()])
def test_every_command_in_the_docs_parses(where: str, line: str) -> None:
    try:
        build_parser().parse_args(shlex.split(line)[1:])
    except SystemExit as exc:  # argparse's exit: a usage error (`--version` exits 0)
        assert exc.code == 0, where


def test_the_docs_show_commands_to_parse() -> None:
    assert len(_fenced_commands()) >= 15


def test_a_help_text_names_only_its_own_placeholders() -> None:
    """`retain review --help` said `--cram ... DECK_ID...` and optimize's `no DECK_ID|GROUP`,
    where the argument is DECK (an id, a name or a group), as the README writes it."""
    wrong = []
    for name, sub in _subparsers().items():
        metavars = {str(a.metavar) for a in sub._actions if a.metavar}
        for action in sub._actions:
            for word in re.findall(r"\b[A-Z]+(?:_[A-Z]+)+(?:\|[A-Z_]+)*", action.help or ""):
                if word not in metavars:
                    wrong.append(f"retain {name}: {word}")
    assert wrong == []


def _inline_commands() -> list[tuple[str, str]]:
    """Every `retain ...` in inline code of the docs, cut at a pipe (`retain stats | head -1`)."""
    out = []
    for path in DOCS:
        for found in re.finditer(r"(?<!`)`(retain [^`\n]+)`(?!`)", path.read_text(encoding="utf-8")):
            command = found.group(1).split(" | ")[0]
            out.append((f"{path.name}: {command}", command))
    return out


@pytest.mark.parametrize(("where", "line"), _inline_commands(), ids=[w for w, _ in _inline_commands()])
def test_every_option_a_doc_names_in_a_command_exists(where: str, line: str) -> None:
    """An inline `retain CMD ... --opt` (a synopsis too) names a command that exists and options
    it has."""
    words = shlex.split(line.replace("...", ""))[1:]
    if not words or words[0].startswith("-"):
        assert set(words) <= {"--version", "--help"}, where
        return
    subs = _subparsers()
    assert words[0] in subs, where
    known = {o for a in subs[words[0]]._actions for o in a.option_strings}
    parts = (part.split("=")[0] for word in words[1:] for part in word.strip("[]").split("|"))
    options = {part for part in parts if part.startswith("-") and part != "-"}
    assert options <= known, f"{where}: {sorted(options - known)}"


def test_the_readme_summary_names_only_commands_and_options_there_are() -> None:
    subs = _subparsers()
    for name, summary in _readme_summary().items():
        if name.startswith("-") or not name.islower():  # `retain --version`, `retain   TUI home screen`
            assert name in ("--version", "TUI"), name
            continue
        assert name in subs, name
        known = {o for a in subs[name]._actions for o in a.option_strings}
        named = set(re.findall(r"(?<![\w-])--?[a-z][\w-]*", summary))
        assert named <= known, f"retain {name}: {sorted(named - known)}"
