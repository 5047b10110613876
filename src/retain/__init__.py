"""retain: a keyboard-first terminal flashcard app."""


def _quiet_interrupt(signum: int, frame: object) -> None:
    """Ctrl-C before `retain.cli.main` takes over (while the program's modules load) or after it
    has let go (while Python closes down): exit 130 at once, without a traceback. Nothing is
    held then (no lock, no worker); what was printed is flushed first. (Raising SystemExit here
    printed "Exception ignored" when it landed in a clean-up callback at exit.)"""
    import os  # (both loaded by Python's start-up: a module half-imported when the signal came,
    import sys  # such as contextlib, would fail here and print a traceback)

    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105 (contextlib may be the module being imported)
            stream.flush()
        except Exception:  # a closed or broken pipe: nothing more to say
            pass
    os._exit(130)


def _as_program() -> bool:
    """Run as the `retain` program (its script, `python -m retain`, or a worker process it
    started, which runs with its argv), not imported by another program or a test."""
    import sys

    argv = getattr(sys, "argv", None) or [""]
    path = str(argv[0]).replace("\\", "/")
    if path == "-m":  # `python -m retain` while it finds the package
        orig = list(getattr(sys, "orig_argv", []))
        return "-m" in orig and orig.index("-m") + 1 < len(orig) and orig[orig.index("-m") + 1] == "retain"
    return path.rsplit("/", 1)[-1] in ("retain", "retain.exe") or path.endswith("retain/__main__.py")


if _as_program():  # first thing, before any other module of retain's loads
    import _signal  # type: ignore[import-not-found]  # built in: no import time (`signal` loads enum)

    if _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
        _signal.signal(_signal.SIGINT, _quiet_interrupt)

__version__ = "0.1.0"
__all__ = ["__version__"]
