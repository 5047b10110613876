"""Parse untrusted TOML text with every failure turned into a positioned message."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

__all__ = ["TomlFailure", "loads_safe"]

_POS_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


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
