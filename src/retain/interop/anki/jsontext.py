"""JSON from an Anki package, as text every file and terminal can take.

`json.loads` turns an escaped lone surrogate (`"\\ud800"`, which Anki never
writes but a hand-made package can hold) into a string no UTF-8 file, SQLite
column or terminal accepts: a deck named with one stopped `retain import` with
a UnicodeEncodeError. Every JSON value read from a package goes through
`loads`, which gives each lone surrogate, in keys and values alike, as U+FFFD.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["loads"]

_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # a surrogate's escape: only then is there anything to do
_LONE = re.compile("[\ud800-\udfff]")  # after loading, a valid pair is one character: these are lone


def loads(raw: str | bytes) -> Any:
    """`json.loads`, with lone surrogates made U+FFFD (raises as `json.loads` does)."""
    data = json.loads(raw)
    # (bytes as `json.loads` reads them: UTF-8 or UTF-16/32, encoded surrogates passed through)
    text = raw if isinstance(raw, str) else raw.decode(json.detect_encoding(raw), "surrogatepass")
    return _clean(data) if _ESCAPE.search(text) or _LONE.search(text) else data


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value
