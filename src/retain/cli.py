"""Command-line entry point. Sub-commands live in `retain.commands`; the TUI loads lazily.

This module imports next to nothing at its top (no `re`, no `typing`): a Ctrl-C while it
loads would be a traceback, as it would be anywhere before `main` catches it.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from types import SimpleNamespace

from retain import __version__

TYPE_CHECKING = False  # `typing.TYPE_CHECKING` without importing typing (mypy knows the name)
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
_PATH_METAVAR = r"\b(?:FILE|DIR|PATH)\b"
_SURROGATE = "[\ud800-\udfff]"


def _command_in(argv: Sequence[str]) -> str | None:
    """The sub-command `argv` names: its first word that is no option, if it is one."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in COMMANDS else None


def _parser_class(words: Sequence[str] = ()) -> type[argparse.ArgumentParser]:
    """argparse is imported only when there are arguments to parse (bare `retain` has none).
    `words` are the arguments being parsed, for the hints of an error."""
    import argparse

    class _Parser(argparse.ArgumentParser):
        argv: tuple[str, ...] = tuple(words)

        def error(self, message: str) -> None:  # type: ignore[override]
            from retain.commands.output import err

            hint = _hint(self, message, list(self.argv))
            command = _command_in(self.argv)
            where = f"retain {command}" if command else "retain"
            # The message quotes the word it could not use: through the sanitiser, on one line
            # (argparse wrote it raw: an `ESC ]52;` in a pasted word wrote the clipboard).
            err(f"retain: error: {message}{hint} (see `{where} --help`)")
            self.exit(2)

        def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> object:
            """`--query=--` is the text `--`, as the README says a value starting with `-` is
            given. argparse takes a `--` out of every option's values, even one joined with `=`:
            the option's value became an empty list, and every command that used it failed with
            a traceback (or, for `--svg=--`, did nothing)."""
            if action.option_strings and action.nargs is None and arg_strings == ["--"]:
                value = self._get_value(action, "--")  # (its type's check: one line, exit 2)
                self._check_value(action, value)
                return value
            return super()._get_values(action, arg_strings)

        def _print_message(self, message: str, file: object = None) -> None:
            """Help, usage and version, to stdout (argparse ignored a failed write: `--help >
            /dev/full` said nothing and exited 0). A reader that left is no error; a write that
            fails is one line on stderr and exit 1, as for any command's report."""
            if not message:
                return
            from retain.commands.output import err, out_block
            from retain.store.oserror import os_error_text

            try:
                out_block(message.rstrip("\n"))
                if sys.stdout is not None:
                    sys.stdout.flush()
            except BrokenPipeError:
                _drop_stdout()
            except OSError as exc:
                _drop_stdout()
                err(f"retain: {os_error_text(exc)}")
                self.exit(1)

    return _Parser


_INVALID_CHOICE = r"invalid choice: '(.*)' \(choose from (.*)\)$"
_EXPECTED_VALUE = r"^argument (\S+): expected one argument$"
_JOINED_VALUE = r"^argument (\S+): ignored explicit argument "


def _sub_parser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser | None:
    """The parser of sub-command `command`, or None."""
    for action in parser._actions:
        if command and isinstance(action.choices, dict) and command in action.choices:
            found: argparse.ArgumentParser = action.choices[command]
            return found
    return None


def _hint(parser: argparse.ArgumentParser, message: str, argv: list[str]) -> str:
    """What to add to argparse's one-line error: where the word belongs, or what was meant."""
    import re
    from difflib import get_close_matches

    found = re.search(_INVALID_CHOICE, message)
    if found is not None:
        choices = re.findall(r"'([^']*)'", found.group(2))
        close = get_close_matches(found.group(1), choices, n=1, cutoff=0.6)
        return f"; did you mean {close[0]!r}?" if close else ""
    expected = re.search(_EXPECTED_VALUE, message)
    if expected is not None:  # `--back -n`: argparse reads a value starting with '-' as an option
        return _dash_value(expected.group(1).split("/"), argv)
    if message.startswith("unrecognized arguments: "):
        words = message.removeprefix("unrecognized arguments: ")
        return _dash_file(parser, argv, words) or _misplaced(parser, words.split(), argv)
    if message.startswith("the following arguments are required: ") or re.search(_JOINED_VALUE, message):
        return _dash_file(parser, argv, None)  # (`-h.toml`: read as -h with the value `.toml`)
    return ""


# The files `import` and `check` read and `export` writes (IMPORT_SUFFIXES, EXPORT_SUFFIXES),
# written out here: a usage error loads none of the interop code.
_FILE_SUFFIXES = (".toml", ".apkg", ".csv", ".tsv", ".txt", ".md")


def _dash_file(parser: argparse.ArgumentParser, argv: list[str], among: str | None) -> str:
    """`retain import -notes.csv`: argparse reads a word that starts with '-' as an option, so the
    file was "unrecognized" (or the file argument "required"). When the command takes files and
    such a word before any `--` (in `among`, the words argparse could not use, if given) names
    a file or looks like a file name, say the two ways to give it."""
    import shlex

    if not _takes_files(_sub_parser(parser, _command_in(argv)) or parser):
        return ""
    names = argv[: argv.index("--")] if "--" in argv else argv
    for word in names:
        if (among is None or word in among) and _file_like(word):
            written = shlex.quote(f"./{word}")
            return f"; for a file name that starts with '-', write {written} or put `--` before it"
    return ""


def _takes_files(parser: argparse.ArgumentParser) -> bool:
    """The command takes file names as words of their own (metavar FILE, DIR or PATH)."""
    import re

    return any(
        not a.option_strings and re.search(_PATH_METAVAR, str(a.metavar or "")) for a in parser._actions
    )


def _file_like(word: str) -> bool:
    """`word`, which argparse took for an option, is a file here or has a deck file's suffix
    (`--dek=x.toml` is an option with a value, unless that file is there)."""
    if not word.startswith("-") or word in ("-", "--"):
        return False
    if os.path.lexists(word):
        return True
    return word.lower().endswith(_FILE_SUFFIXES) and not (word.startswith("--") and "=" in word)


def _dash_value(options: list[str], argv: list[str]) -> str:
    import shlex

    for i, word in enumerate(argv[:-1]):
        if word in options and argv[i + 1].startswith("-"):
            written = shlex.quote(f"{max(options, key=len)}={argv[i + 1]}")  # `--output=`, not `-o=`
            return f"; for a value that starts with '-', join it with '=': {written}"
    return ""


def _misplaced(parser: argparse.ArgumentParser, words: list[str], argv: list[str]) -> str:
    """`retain --json due`: --json is due's, written after it; after `--` no word is an option;
    otherwise the closest option of the command given (or of `retain` itself)."""
    from difflib import get_close_matches

    command = _command_in(argv)
    sub = _sub_parser(parser, command)
    own = [o for a in (sub or parser)._actions for o in a.option_strings if o.startswith("--")]
    for word in words:
        if not word.startswith("-"):
            continue
        option = word.partition("=")[0]
        at = argv.index(word) if word in argv else -1
        if "--" in argv and 0 <= argv.index("--") < at:
            return f"; after `--` every word is a name, never an option: put {option} before `--`"
        if sub is not None and option in own and at < argv.index(str(command)):
            return f"; {option} belongs to the command, after it: `retain {command} {word}`"
        close = get_close_matches(option, own, n=1, cutoff=0.6)
        if close and close[0] != option:
            return f"; did you mean {close[0]}?"
    return ""


def build_parser(only: str | None = None, argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser (of `argv`, for the hints of its errors); with `only`, just that
    sub-command's module is imported (fast start-up)."""
    _Parser = _parser_class(argv)
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


def _as_utf8(text: str) -> str | None:
    """`text` read again as UTF-8 from the bytes it was given as, or None when they are not UTF-8.

    Under an ASCII locale with Python's UTF-8 mode off (`PYTHONUTF8=0 LC_ALL=C`) every non-ASCII
    byte of the command line arrives as a lone surrogate, also in a `--front café` typed in UTF-8.
    """
    try:
        return os.fsencode(text).decode("utf-8")
    except (UnicodeError, ValueError):
        return None


def _not_utf8(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """The first text argument that is not valid UTF-8, by its option name, or None.

    Python hands undecodable bytes over as lone surrogates, which no file can hold:
    they fail deep in a write. When the bytes were UTF-8 all along (an ASCII locale,
    `_as_utf8`), the argument is set to that text instead. A file name may be any bytes
    (an argument whose metavar says FILE, DIR or PATH), so those are let through.
    """
    import re

    for action in _actions(parser, getattr(args, "command", None)):
        if re.search(_PATH_METAVAR, str(action.metavar or "")):
            continue
        value = getattr(args, action.dest, None)
        texts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        if not any(isinstance(t, str) and re.search(_SURROGATE, t) for t in texts):
            continue
        again = [_as_utf8(t) if isinstance(t, str) and re.search(_SURROGATE, t) else t for t in texts]
        if any(t is None or (isinstance(t, str) and re.search(_SURROGATE, t)) for t in again):
            return max(action.option_strings, key=len, default="") or str(action.metavar or action.dest)
        setattr(args, action.dest, again[0] if isinstance(value, str) else again)
    return None


def _no_path(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """What is wrong with a file or folder argument (metavar FILE, DIR or PATH), or None.

    An empty one is a script's unset variable (`retain import "$DECK"`): read as the
    current folder, it would import, check or export into whatever folder the script
    ran in. `-` is standard input or output to most tools; retain reads and writes
    files only, so it is said rather than made a folder named `-`. A FILE (not FILE|DIR)
    ending in `/` names a folder: `--svg sub/` wrote a file called `sub` (Path drops the `/`).
    """
    import re

    for action in _actions(parser, getattr(args, "command", None)):
        if not re.search(_PATH_METAVAR, str(action.metavar or "")):
            continue
        value = getattr(args, action.dest, None)
        texts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        name = "/".join(action.option_strings) or str(action.metavar)
        what = "a file" if str(action.metavar) == "FILE" else "a file or folder"
        if "" in texts:
            return f"argument {name}: empty; name {what}"
        if "-" in texts:
            return f"argument {name}: '-' (standard input or output) is not supported; name {what}"
        folder = next((t for t in texts if isinstance(t, str) and t.endswith(("/", os.sep))), None)
        if str(action.metavar) == "FILE" and folder is not None:
            from retain.store.oserror import quoted_name

            return f"argument {name}: {quoted_name(folder)} names a folder; name a file (in it)"
    return None


def _parse(argv: list[str]) -> argparse.Namespace:
    """Parse the arguments; exit 2 with one line when one is wrong, or a text is not UTF-8."""
    # Import only the named sub-command; none for `--help` or a typo.
    parser = build_parser(_command_in(argv) or "", argv)
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


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a closed terminal) while a command runs: it stops as on Ctrl-C (what
    it wrote stays whole, its lock is let go, its worker processes end) and exits 128 + N."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_stopping = False  # a signal has stopped the command: it is letting go of its lock and workers
_stop_signal = 0  # that signal's number


def _stop(signum: int, frame: object) -> None:
    """SIGTERM or SIGHUP: `Stopped`, once (see `_interrupt`)."""
    global _stopping, _stop_signal
    if not _stopping:
        _stopping, _stop_signal = True, signum
        _no_resume()
        raise Stopped(signum)


def hang_up() -> None:
    """The terminal has gone and no SIGHUP said so (ignored: `nohup`, a parent's SIG_IGN; or not
    the controlling terminal): stop the command as that SIGHUP would have, exit 129 (the TUI's
    driver calls it on its loop, `retain.ui.driver`). Call it in the main thread."""
    import signal

    _stop(getattr(signal, "SIGHUP", 1), None)


def _no_resume() -> None:
    """A stopping command is never resumed: a SIGCONT does nothing from here on. A closed terminal
    sends one right behind its SIGHUP, and the TUI's handler (Textual's, as after Ctrl-Z) started
    the terminal mode again while the app stopped: a second input thread, which kept the process
    from exiting, or an error thrown into the app's shutdown. (The handler is a no-op, not
    SIG_DFL: a SIGCONT already caught would be reported as "ignored due to race condition".)"""
    import signal

    sigcont = getattr(signal, "SIGCONT", 0)
    if sigcont:  # (a signal handler runs in the main thread: `signal.signal` may be called)
        signal.signal(sigcont, _resumed)


def _resumed(signum: int, frame: object) -> None:
    """SIGCONT while the command stops: nothing to do (the process runs on by itself)."""


def _interrupt(signum: int, frame: object) -> None:
    """Ctrl-C while a command runs: a KeyboardInterrupt, once. Nothing of retain's goes on after
    one, so a second Ctrl-C (or a SIGTERM) while the command stops is not raised into its
    clean-up, where it printed a traceback or cut the stopping of the workers short."""
    global _stopping, _stop_signal
    if not _stopping:
        _stopping, _stop_signal = True, signum
        raise KeyboardInterrupt


def _swallowed(info: sys.UnraisableHookArgs) -> None:
    """`sys.unraisablehook` while a command runs. A Ctrl-C (or SIGTERM) that lands while a
    finalizer runs (a `__del__`, a weakref callback such as the one importlib lets a module's
    lock go with) is raised there, and Python only prints it ("Exception ignored") and goes on:
    the command ran to its end and exited 0. Our interrupt is not printed but raised again, from
    a thread, so that it lands after the finalizer (in another one, it comes back here)."""
    global _stopping
    stop = info.exc_value
    if _stopping and isinstance(stop, KeyboardInterrupt):
        import _thread
        import signal

        _stopping = False
        signum = signal.Signals(stop.signum) if isinstance(stop, Stopped) else signal.SIGINT
        _thread.start_new_thread(lambda: _thread.interrupt_main(signum), ())
        return
    sys.__unraisablehook__(info)


def _take_signals(saved: list[tuple[int, object]]) -> None:
    """Ctrl-C is a KeyboardInterrupt again, once (until now `retain/__init__.py` made it a quiet
    exit 130), SIGTERM and SIGHUP stop the command the same way unless they are ignored (`nohup`).
    What to put back goes into `saved` before each handler is replaced: a Ctrl-C may land the
    moment ours is in, still inside this function, and `main` must then give it back too."""
    import signal

    from retain import _quiet_interrupt

    global _stopping
    _stopping = False
    wanted: list[tuple[int, object, object]] = [(signal.SIGINT, _quiet_interrupt, _interrupt)]
    wanted += [
        (s, signal.SIG_DFL, _stop) for s in (getattr(signal, "SIGTERM", 0), getattr(signal, "SIGHUP", 0)) if s
    ]
    for signum, was, handler in wanted:
        try:
            current = signal.getsignal(signum)
            if current is was:
                saved.append((signum, current))
                signal.signal(signum, handler)  # type: ignore[arg-type]
        except ValueError:  # not the main thread (main() called by another program's thread)
            if saved and saved[-1][0] == signum:
                saved.pop()  # (not taken: nothing to give back)
            break
    if saved and sys.unraisablehook is sys.__unraisablehook__:
        sys.unraisablehook = _swallowed


def _give_back(saved: list[tuple[int, object]]) -> None:
    import signal

    if sys.unraisablehook is _swallowed:
        sys.unraisablehook = sys.__unraisablehook__
    for signum, handler in saved:
        signal.signal(signum, handler)  # type: ignore[arg-type]


def _stop_workers() -> None:
    """End the worker processes of an index build the command left (stopped half-way): Python's
    exit would wait for each to finish its chunk, and a second Ctrl-C then hung it."""
    parallel = sys.modules.get("retain.store.index.parallel")
    if parallel is not None:
        parallel.close_all()


def main(argv: Sequence[str] | None = None) -> int:
    saved: list[tuple[int, object]] = []
    try:
        _take_signals(saved)  # (inside the `try`: a Ctrl-C can land as soon as ours is in)
        code = _main(list(sys.argv[1:] if argv is None else argv))
        # stopped, though the command ended by itself: the TUI's task that `Stopped` hit may
        # swallow it (a screen's mount cut short, whose error then ended the app with 1)
        return 128 + _stop_signal if _stopping and _stop_signal else code
    except Stopped as exc:  # SIGTERM, SIGHUP: as on Ctrl-C, 128 + the signal's number
        return 128 + exc.signum
    except KeyboardInterrupt:  # Ctrl-C at any point, while the command loads too: quietly, 130
        return 130
    except Exception as exc:  # the interrupt, wrapped by Python on its way out (see `_wrapped_stop`)
        stop = _wrapped_stop(exc)
        if stop is None:
            raise
        return 128 + stop.signum if isinstance(stop, Stopped) else 130
    finally:  # a Ctrl-C from here on (while Python closes down) is a quiet exit 130 again
        _wind_down(saved)


def _wrapped_stop(exc: BaseException) -> KeyboardInterrupt | None:
    """The KeyboardInterrupt (or `Stopped`) our handler raised, when `exc` is only its wrapper:
    Python 3.11 turns one raised while a class is made (a dataclass naming its fields as a module
    loads) into `RuntimeError: Error calling __set_name__ ...`. None for any other error, so a
    real one is never hidden: the handler must have fired, and the interrupt be in its chain."""
    if not _stopping:
        return None
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


def _wind_down(saved: list[tuple[int, object]]) -> None:
    """Give the signal handlers back and end the workers a stopped build left. A signal that
    lands before the first lines here still raises (the handlers are retain's); start over."""
    for _ in range(20):
        try:
            _give_back(saved)
            _stop_workers()
            return
        except (KeyboardInterrupt, SystemExit):  # (SystemExit: the quiet handler, given back)
            continue


def _terminal_gone(exc: OSError) -> bool:
    """Whether `exc` is stdout's terminal gone (EIO or ENXIO writing to a character device), not
    a file's error: a closed terminal with SIGHUP ignored says so only this way."""
    import errno
    import stat

    from retain.commands.output import OutputError

    if exc.errno not in (errno.EIO, errno.ENXIO) or sys.stdout is None:
        return False
    if not isinstance(exc, OutputError) and exc.filename is not None:
        return False  # (a file's own I/O error names the file)
    try:
        return stat.S_ISCHR(os.fstat(sys.stdout.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False


def _done_note(done: list[str]) -> str:
    """What the command changed before its output failed (`output.report`), for the error line:
    a script that retries on exit 1 must not add a card twice."""
    if not done:
        return ""
    more = f" (and {len(done) - 1} more)" if len(done) > 1 else ""
    return f"; done before that: {done[0]}{more}"


def _main(argv: list[str]) -> int:
    _replace_unencodable()
    # bare `retain`, the TUI: no parser to build, argparse not even imported (launch time)
    args = _parse(argv) if argv else SimpleNamespace(command=None)
    command = args.command or "home"
    if sys.stdout is None and command not in ("home", "review"):  # `>&-`; the TUI draws on stderr
        from retain.commands.output import err

        # Its report would go nowhere, and `add` or `import` would say nothing of what it did.
        err("retain: standard output is closed; nothing done (send it to /dev/null to discard it)")
        return 1
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
    except BrokenPipeError:  # `retain stats | head`: the reader has all it wanted
        _drop_stdout()
        return 0
    except OSError as exc:  # the output could not be written (`> /dev/full`), or a file error no
        gone = _terminal_gone(exc)  # (asked before stdout is pointed at the null device)
        _drop_stdout()  # command foresaw: one line, never a traceback
        if gone:  # the terminal closed, SIGHUP ignored (`nohup`): as that SIGHUP, 129
            import signal

            return 128 + getattr(signal, "SIGHUP", 1)
        from retain.commands.output import done_so_far, err
        from retain.store.oserror import os_error_text

        err(f"retain: {os_error_text(exc)}{_done_note(done_so_far())}")
        return 1
