"""Parse untrusted TOML text with every failure turned into a positioned message."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

__all__ = ["TomlFailure", "loads_safe"]

_POS_RE = re.compile(r"\(at line (\d+), column (\d+)\)")
MAX_KEY_PARTS = 64
# tomllib's time and memory grow with the square of a dotted key's length
# (100,000 parts: 2 minutes and 24 GB), so such keys are refused before parsing.
_LONG_DOTTED_RE = re.compile(
    r"(?:\.[ \t]*(?:[A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*')[ \t]*){" + str(MAX_KEY_PARTS) + ",}"
)  # starts with a literal dot, so the scan only stops at dots: about 40 MB/s


@dataclass(frozen=True, slots=True)
class TomlFailure:
    line: int
    col: int
    message: str


def loads_safe(text: str) -> dict[str, Any] | TomlFailure:
    """Parse TOML; syntax errors keep their position, parser bombs get a plain message.

    The standard parser raises RecursionError on deep nesting and ValueError on
    integers beyond Python's digit limit; neither is a TOMLDecodeError.
    """
    bomb = _LONG_DOTTED_RE.search(text)
    if bomb:
        line = text.count("\n", 0, bomb.start()) + 1
        col = bomb.start() - (text.rfind("\n", 0, bomb.start()) + 1) + 1
        return TomlFailure(line, col, f"dotted key has more than {MAX_KEY_PARTS} parts")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _POS_RE.search(msg)
        line, col = (int(m[1]), int(m[2])) if m else (1, 1)
        return TomlFailure(line, col, f"TOML syntax: {_POS_RE.sub('', msg).strip()}")
    except RecursionError:
        return TomlFailure(1, 1, "TOML nesting is too deep to be a deck file")
    except (ValueError, OverflowError) as exc:
        return TomlFailure(1, 1, f"TOML value out of range: {str(exc).splitlines()[0][:80]}")
    except MemoryError:
        return TomlFailure(1, 1, "TOML document is too large to parse")
