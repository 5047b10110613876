"""Command-line entry point. Sub-commands live in `retain.commands`; the TUI loads lazily."""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING

from retain import __version__

if TYPE_CHECKING:
    import argparse

__all__ = ["main"]

# name -> module in retain.commands; each module has `add_arguments(parser)` and `run(args) -> int`.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "validate deck files"),
    "locate": ("locate", "print config, data and deck folders"),
    "review": ("review", "study in the TUI, straight into a session"),
    "add": ("add", "append a card to a deck (--new-deck creates the deck)"),
    "import": ("import_", "import a deck: .toml .apkg .csv .tsv .txt .md"),
    "export": ("export", "export a deck; the format comes from the file extension"),
    "due": ("due", "due counts per deck (--json for scripts)"),
    "stats": ("stats", "due forecast, review calendar, true retention, card counts (--json for scripts)"),
    "optimize": ("optimize", "fit FSRS weights to your review history; --simulate the workload"),
}
_PATH_METAVAR = re.compile(r"\b(?:FILE|DIR|PATH)\b")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _parser_class() -> type[argparse.ArgumentParser]:
    """argparse is imported only when there are arguments to parse (bare `retain` has none)."""
    import argparse

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> None:  # type: ignore[override]
            hint = _did_you_mean(self, message)
            self.exit(2, f"retain: error: {message}{hint} (see `retain --help`)\n")

    return _Parser


_INVALID_CHOICE = re.compile(r"invalid choice: '(.*)' \(choose from (.*)\)$")


def _option_strings(parser: argparse.ArgumentParser) -> list[str]:
    """Every option of the parser and of its sub-commands' parsers (those built: see `build_parser`)."""
    names: list[str] = []
    for action in parser._actions:
        names += [o for o in action.option_strings if o.startswith("--")]
        for sub in (action.choices or {}).values() if isinstance(action.choices, dict) else ():
            names += _option_strings(sub)
    return names


def _did_you_mean(parser: argparse.ArgumentParser, message: str) -> str:
    """`; did you mean 'review'?` for a misspelt sub-command or choice, `--json?` for an option."""
    from difflib import get_close_matches

    found = _INVALID_CHOICE.search(message)
    if found is not None:
        choices = re.findall(r"'([^']*)'", found.group(2))
        close = get_close_matches(found.group(1), choices, n=1, cutoff=0.6)
        return f"; did you mean {close[0]!r}?" if close else ""
    if message.startswith("unrecognized arguments: "):
        options = _option_strings(parser)
        for word in message.removeprefix("unrecognized arguments: ").split():
            if word.startswith("--"):
                close = get_close_matches(word.partition("=")[0], options, n=1, cutoff=0.6)
                if close:
                    return f"; did you mean {close[0]}?"
    return ""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that sub-command's module is imported (fast start-up)."""
    _Parser = _parser_class()
    parser = _Parser(prog="retain", description="Keyboard-first flashcards with FSRS scheduling.")
    parser.add_argument("--version", action="version", version=f"retain {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if only is None or name == only:
            importlib.import_module(f"retain.commands.{module}").add_arguments(p)
    return parser


def _actions(parser: argparse.ArgumentParser, command: str | None) -> list[argparse.Action]:
    """The parser's arguments and those of `command`'s sub-parser."""
    import argparse

    found: list[argparse.Action] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            sub = action.choices.get(command) if command else None
            found += _actions(sub, None) if sub is not None else []
        else:
            found.append(action)
    return found


def _not_utf8(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """The first text argument that is not valid UTF-8, by its option name, or None.

    Python hands undecodable bytes over as lone surrogates, which no file can hold:
    they fail deep in a write. A file name may be any bytes (an argument whose
    metavar says FILE, DIR or PATH), so those are let through.
    """
    for action in _actions(parser, getattr(args, "command", None)):
        if _PATH_METAVAR.search(str(action.metavar or "")):
            continue
        value = getattr(args, action.dest, None)
        texts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        if any(isinstance(t, str) and _SURROGATE.search(t) for t in texts):
            return max(action.option_strings, key=len, default="") or str(action.metavar or action.dest)
    return None


def _no_path(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """What is wrong with a file or folder argument (metavar FILE, DIR or PATH), or None.

    An empty one is a script's unset variable (`retain import "$DECK"`): read as the
    current folder, it would import, check or export into whatever folder the script
    ran in. `-` is standard input or output to most tools; retain reads and writes
    files only, so it is said rather than made a folder named `-`.
    """
    for action in _actions(parser, getattr(args, "command", None)):
        if not _PATH_METAVAR.search(str(action.metavar or "")):
            continue
        value = getattr(args, action.dest, None)
        texts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        name = "/".join(action.option_strings) or str(action.metavar)
        what = "a file" if str(action.metavar) == "FILE" else "a file or folder"
        if "" in texts:
            return f"argument {name}: empty; name {what}"
        if "-" in texts:
            return f"argument {name}: '-' (standard input or output) is not supported; name {what}"
    return None


def _parse(argv: list[str]) -> argparse.Namespace:
    """Parse the arguments; exit 2 with one line when one is wrong, or a text is not UTF-8."""
    first = next((a for a in argv if not a.startswith("-")), None)
    # Import only the named sub-command; none for `--help` or a typo.
    parser = build_parser(first if first in COMMANDS else "")
    args = parser.parse_args(argv)
    name = _not_utf8(parser, args)
    if name is not None:
        parser.error(f"argument {name}: not valid UTF-8 text")
    problem = _no_path(parser, args)
    if problem is not None:
        parser.error(problem)
    return args


def _replace_unencodable() -> None:
    """Print `?` for what the terminal's encoding cannot show, never a traceback (a Latin-1 terminal)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def _drop_stdout() -> None:
    """What is still buffered for stdout cannot be written: send it to the null device."""
    from retain.commands.output import drop_stream

    drop_stream(sys.stdout)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _replace_unencodable()
    # bare `retain`, the TUI: no parser to build, argparse not even imported (launch time)
    args = _parse(argv) if argv else SimpleNamespace(command=None)
    command = args.command or "home"
    from retain.store.config import ConfigError

    try:
        if command == "home":
            mod = importlib.import_module("retain.commands.home")
        else:
            mod = importlib.import_module(f"retain.commands.{COMMANDS[command][0]}")
        code = int(mod.run(args))
        try:
            if sys.stdout is not None:  # (None: started with stdout closed, `1>&-`)
                sys.stdout.flush()  # here, where a full disk behind `> file` can still be said
        except BrokenPipeError:  # the reader left: the command did its work; its code stands
            _drop_stdout()
        return code
    except ConfigError as exc:
        from retain.commands.output import err

        err(f"retain: {exc}")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `retain stats | head`: the reader has all it wanted
        _drop_stdout()
        return 0
    except OSError as exc:  # the output could not be written (`> /dev/full`), or a file error no
        _drop_stdout()  # command foresaw: one line, never a traceback
        from retain.commands.output import err

        where = f": {os.fsdecode(exc.filename)}" if exc.filename else ""
        err(f"retain: {exc.strerror or exc}{where}")
        return 1
