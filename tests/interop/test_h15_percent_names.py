"""Media names that hold a `%` go to an `.apkg` as the files they are (h15).

The renderer's link normalisation kept a `%` followed by two hex digits as an escape, so the
`src` of `pics.media/%00{` came out `pics.media/%00%7B`: neither the name nor its decoding, and
the file was left out of the package. And a file `a b.png` beside one named `a%20b.png` was
packed as the other one (the `src` `a%20b.png` was looked up as written first).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from .conftest import run_cli

NAMES = {"a b.png": b"\x89PNG space", "a%20b.png": b"\x89PNG percent", "%00{.png": b"\x89PNG hex"}


def test_each_name_packs_its_own_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    decks = tmp_path / "home" / "decks"
    (decks / "pics.media").mkdir(parents=True)
    for name, data in NAMES.items():
        (decks / "pics.media" / name).write_bytes(data)
    cards = [
        ("space", "![s](<pics.media/a b.png>)"),
        ("percent", "![p](pics.media/a%20b.png)"),
        ("hex", "![h](pics.media/%00{.png)"),
    ]
    body = "".join(
        f'[[cards]]\nid = "{cid}"\nfront = {json.dumps(front)}\nback = "{cid}"\n\n' for cid, front in cards
    )
    (decks / "pics.toml").write_text(f'format = 1\n\n[deck]\nid = "pics"\nname = "Pics"\n\n{body}', "utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    out = tmp_path / "pics.apkg"
    code, _out, err = run_cli(capsys, "export", "pics", "-o", str(out))
    assert code == 0 and "not found" not in err, err
    with zipfile.ZipFile(out) as z:
        index = json.loads(z.read("media"))
        packed = {name: z.read(number) for number, name in index.items()}
    assert packed == NAMES
