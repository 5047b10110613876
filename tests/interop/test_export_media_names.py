"""Media with the author's own names (`![image](k8s.media/etcd.png)`) travel like content-hash
media: packed into an .apkg (audio as `[sound:]`), copied beside a .md or .toml export and a
group's folder, imported from `DECK.media/` beside a .toml under content-hash names; a missing
file is one warning line."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.core.model import Card, Deck
from retain.interop.exporter import export_decks
from retain.interop.group_export import plan_export, run_export

from .conftest import run_cli

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\nnot really"
MP3 = b"ID3\x03\x00fake mp3"
HASHED = hashlib.sha256(b"hashed image").hexdigest() + ".png"


def _deck(decks: Path, deck_id: str = "k8s", png: bytes = PNG) -> Deck:
    folder = decks / f"{deck_id}.media"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "etcd.png").write_bytes(png)
    (folder / "hello.mp3").write_bytes(MP3)
    (folder / HASHED).write_bytes(b"hashed image")
    cards = (
        Card("img", front=f"Which?\n\n![image]({deck_id}.media/etcd.png)", back="etcd"),
        Card("snd", front="Listen", back=f"![audio]({deck_id}.media/hello.mp3)"),
        Card("hash", front=f"![image]({deck_id}.media/{HASHED})", back="h"),
    )
    path = decks / f"{deck_id}.toml"
    path.write_text(f'format = 1\n[deck]\nid = "{deck_id}"\nname = "{deck_id}"\n', encoding="utf-8")
    return Deck(deck_id, deck_id, cards, path=str(path))


def _apkg(out: Path) -> tuple[dict[str, bytes], list[str]]:
    """The package's media (name -> bytes) and its notes' fields."""
    with zipfile.ZipFile(out) as zf:
        mapping = json.loads(zf.read("media"))
        media = {name: zf.read(i) for i, name in mapping.items()}
        db = out.parent / "col.anki2"
        db.write_bytes(zf.read("collection.anki2"))
    conn = sqlite3.connect(db)
    try:
        flds = [str(f) for (f,) in conn.execute("SELECT flds FROM notes ORDER BY id")]
    finally:
        conn.close()
    return media, flds


def test_author_named_media_are_packed_into_an_apkg(tmp_path: Path) -> None:
    deck = _deck(tmp_path / "decks")
    out = tmp_path / "k8s.apkg"
    export_decks([deck], out, now=NOW, decks_dir=tmp_path / "decks")
    media, flds = _apkg(out)
    assert media == {"etcd.png": PNG, "hello.mp3": MP3, HASHED: b"hashed image"}
    assert '<img src="etcd.png">' in flds[0]
    assert "[sound:hello.mp3]" in flds[1] and "<img" not in flds[1].split("<!--")[0]


def test_two_decks_with_one_media_name_keep_both_files(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    a, b = _deck(decks, "a"), _deck(decks, "b", png=b"other picture")
    out = tmp_path / "ab.apkg"
    export_decks([a, b], out, now=NOW, decks_dir=decks)
    media, flds = _apkg(out)
    assert all("/" not in name and "\\" not in name for name in media)
    assert sorted(v for k, v in media.items() if k.endswith(".png") and k != HASHED) == sorted(
        [PNG, b"other picture"]
    )
    other = next(k for k, v in media.items() if v == b"other picture")
    assert f'<img src="{other}">' in flds[3]


@pytest.mark.parametrize("suffix", [".md", ".toml"])
def test_a_file_export_copies_the_media_beside_it(tmp_path: Path, suffix: str) -> None:
    deck = _deck(tmp_path / "decks")
    out = tmp_path / "out" / f"k8s{suffix}"
    out.parent.mkdir()
    written = export_decks([deck], out, now=NOW, decks_dir=tmp_path / "decks")
    folder = out.parent / "k8s.media"
    assert sorted(p.name for p in folder.iterdir()) == sorted(["etcd.png", "hello.mp3", HASHED])
    assert (folder / "etcd.png").read_bytes() == PNG and folder / "hello.mp3" in written


def test_a_group_folder_export_carries_each_decks_media(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    jobs = plan_export([_deck(decks, "a"), _deck(decks, "b")], f"{tmp_path / 'out'}/")
    run_export(jobs, now=NOW)
    for deck_id in ("a", "b"):
        assert (tmp_path / "out" / f"{deck_id}.media" / "etcd.png").read_bytes() == PNG
        assert (tmp_path / "out" / f"{deck_id}.media" / HASHED).is_file()


@pytest.mark.parametrize("suffix", [".apkg", ".md", ".toml"])
def test_a_missing_media_file_is_one_warning_line(tmp_path: Path, suffix: str) -> None:
    deck = _deck(tmp_path / "decks")
    (tmp_path / "decks" / "k8s.media" / "etcd.png").unlink()
    (tmp_path / "decks" / "k8s.media" / "hello.mp3").unlink()
    warnings: list[str] = []
    export_decks([deck], tmp_path / f"x{suffix}", now=NOW, decks_dir=tmp_path / "decks", warnings=warnings)
    assert len(warnings) == 1
    assert "2 media file(s) not found" in warnings[0] and "etcd.png, hello.mp3" in warnings[0]


def test_importing_a_toml_stores_its_media_folder_under_content_hash_names(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = _deck(tmp_path / "decks")
    out = tmp_path / "share" / "k8s.toml"
    out.parent.mkdir()
    export_decks([deck], out, now=NOW, decks_dir=tmp_path / "decks")
    code, _, err = run_cli(capsys, "import", str(out))
    assert code == 0, err
    stored = home / "decks" / "k8s.media"
    png = hashlib.sha256(PNG).hexdigest() + ".png"
    mp3 = hashlib.sha256(MP3).hexdigest() + ".mp3"
    assert sorted(p.name for p in stored.iterdir()) == sorted([png, mp3, HASHED])
    text = (home / "decks" / "k8s.toml").read_text(encoding="utf-8")
    assert f"k8s.media/{png}" in text and f"k8s.media/{mp3}" in text and "etcd.png" not in text


@pytest.mark.parametrize("folder", ["missing", "a file", "a symbolic link", "one file missing"])
def test_a_toml_import_warns_when_its_media_folder_is_missing(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], folder: str
) -> None:
    """A deck file shared without its `DECK.media/` folder (or with a file or a symbolic link in its
    place) warns as one missing file in a real folder does: the user learns nothing is shown."""
    src = tmp_path / "share" / "pics.toml"
    src.parent.mkdir()
    src.write_text(
        'format = 1\n[deck]\nid = "pics"\nname = "Pics"\n\n[[cards]]\nid = "a"\n'
        'front = "What is this? ![image](pics.media/dot.png)"\nback = "a dot"\n'
    )
    media = src.parent / "pics.media"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "dot.png").write_bytes(PNG)
    if folder == "a file":
        media.write_bytes(b"not a folder")
    elif folder == "a symbolic link":
        media.symlink_to(elsewhere, target_is_directory=True)
    elif folder == "one file missing":
        media.mkdir()
    code, _, err = run_cli(capsys, "import", str(src))
    assert code == 0, err
    assert err.splitlines() == [
        f"warning: 1 media file(s) not found in {media}"
        + {"missing": " (no such folder)", "a file": " (not a folder)"}.get(folder, "")
        + {"a symbolic link": " (a symbolic link, not read)"}.get(folder, "")
        + ": dot.png"
    ]
    assert not (home / "decks" / "pics.media").exists()


def test_the_cli_export_says_which_media_files_are_missing(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "decks").mkdir(parents=True, exist_ok=True)
    (home / "decks" / "pix.toml").write_text(
        'format = 1\n[deck]\nid = "pix"\nname = "Pix"\n\n[[cards]]\nid = "a"\n'
        'front = "Which?\\n\\n![image](pix.media/gone.png)"\nback = "b"\n',
        encoding="utf-8",
    )
    code, _out, err = run_cli(capsys, "export", "pix", "-o", str(tmp_path / "pix.apkg"))
    assert code == 0, err
    assert err.splitlines() == [
        f"retain: warning: deck pix: 1 media file(s) not found in {home / 'decks' / 'pix.media'}, "
        "exported without them: gone.png"
    ]


def _media_deck(folder: Path, deck_id: str, name: str, group: str = "G") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{deck_id}.toml").write_text(
        f'format = 1\n[deck]\nid = "{deck_id}"\nname = "{deck_id}"\ngroup = "{group}"\n'
        f'[[cards]]\nid = "c"\nfront = "look ![image]({deck_id}.media/{name})"\nback = "b"\n',
        encoding="utf-8",
    )


def test_export_never_packs_a_media_link_that_leaves_the_media_folder(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "id_rsa"
    secret.write_bytes(b"PRIVATE KEY MATERIAL")
    decks = home / "decks"
    _media_deck(decks, "pics", "pic.png")
    (decks / "pics.media").mkdir()
    (decks / "pics.media" / "pic.png").symlink_to(secret)
    out = tmp_path / "out.apkg"
    code, _, err = run_cli(capsys, "export", "pics", "-o", str(out))
    assert code == 0, err
    with zipfile.ZipFile(out) as zf:
        assert all(b"PRIVATE KEY" not in zf.read(n) for n in zf.namelist())
    dest = tmp_path / "share"
    dest.mkdir()
    code, _, err = run_cli(capsys, "export", "pics", "-o", str(dest / "pics.toml"))
    assert code == 0, err
    assert not (dest / "pics.media" / "pic.png").exists()


def test_a_group_export_packs_the_media_of_decks_in_other_folders(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = tmp_path / "more"
    home.mkdir()
    (home / "config.toml").write_text(f"deck_folders = [{json.dumps(str(extra))}]\n", encoding="utf-8")
    _media_deck(home / "decks", "one", "a.png")
    (home / "decks" / "one.media").mkdir()
    (home / "decks" / "one.media" / "a.png").write_bytes(PNG)
    _media_deck(extra, "two", "b.png")
    (extra / "two.media").mkdir()
    (extra / "two.media" / "b.png").write_bytes(PNG + b"2")
    out = tmp_path / "g.apkg"
    code, _, err = run_cli(capsys, "export", "G", "-o", str(out))
    assert code == 0, err
    assert "not found" not in err
    with zipfile.ZipFile(out) as zf:
        names = set(json.loads(zf.read("media")).values())
    assert names == {"a.png", "b.png"}


def test_export_never_packs_files_of_a_media_folder_that_is_itself_a_link_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """78ba8d4: "media links out of a deck's media folder are never exported (a cloned deck could
    ship ~/.ssh keys)". interop/media.py:media_file only checks a link on the *file*: a cloned
    deck whose `pics.media` is itself a symbolic link to ~/.ssh still ships `id_rsa` in the .apkg
    and copies it beside a .toml export."""
    import zipfile

    from retain.cli import main

    home = tmp_path / "home"
    monkeypatch.setenv("RETAIN_HOME", str(home))
    ssh = tmp_path / "dot-ssh"
    ssh.mkdir()
    (ssh / "id_rsa").write_bytes(b"PRIVATE KEY MATERIAL")
    decks = home / "decks"
    decks.mkdir(parents=True)
    (decks / "pics.toml").write_text(
        'format = 1\n[deck]\nid = "pics"\nname = "pics"\n'
        '[[cards]]\nid = "c"\nfront = "look ![image](pics.media/id_rsa)"\nback = "b"\n',
        encoding="utf-8",
    )
    (decks / "pics.media").symlink_to(ssh, target_is_directory=True)
    out = tmp_path / "out.apkg"
    assert main(["export", "pics", "-o", str(out)]) == 0, capsys.readouterr().err
    with zipfile.ZipFile(out) as zf:
        leaked = [n for n in zf.namelist() if b"PRIVATE KEY" in zf.read(n)]
    dest = tmp_path / "share"
    dest.mkdir()
    assert main(["export", "pics", "-o", str(dest / "pics.toml")]) == 0
    assert leaked == [] and not (dest / "pics.media" / "id_rsa").exists()


def _described_deck(home: Path) -> None:
    (home / "decks" / "med.media").mkdir(parents=True)
    (home / "decks" / "med.media" / "cat.png").write_bytes(PNG)
    (home / "decks" / "med.toml").write_text(
        'format = 1\n[deck]\nid = "med"\nname = "Media"\n'
        '[[cards]]\nid = "img"\nfront = "What is this? ![a tabby cat](med.media/cat.png)"\nback = "A cat"\n'
        '[[cards]]\nid = "clz"\nkind = "cloze"\n'
        'text = "The {{c1::cat::animal}} ![pic of it](med.media/cat.png) sat"\n',
        encoding="utf-8",
    )


def test_an_image_description_survives_an_apkg_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`![a tabby cat](med.media/cat.png)` went into the package as `<img src="cat.png">` and
    came back `![image](med.media/HASH.png)`: retain -> .apkg -> retain lost what the card said
    about its image. The description is packed as `alt` and read back."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    _described_deck(tmp_path / "home")
    pkg = tmp_path / "med.apkg"
    assert run_cli(capsys, "export", "med", "-o", str(pkg))[0] == 0
    with zipfile.ZipFile(pkg) as zf, (tmp_path / "c.anki2").open("wb") as fh:
        fh.write(zf.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "c.anki2") as db:
        fields = [row[0] for row in db.execute("SELECT flds FROM notes ORDER BY id")]
    assert '<img src="cat.png" alt="a tabby cat">' in fields[0]
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "other"))
    assert run_cli(capsys, "import", str(pkg))[0] == 0
    text = (tmp_path / "other" / "decks" / "med.toml").read_text(encoding="utf-8")
    assert "![a tabby cat](med.media/" in text and "![pic of it](med.media/" in text


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".txt"])
def test_a_text_export_says_which_media_it_leaves_behind(
    suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Anki's text format carries no media: the export wrote the file without a word, and the
    deck imported elsewhere showed images that were not there."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    _described_deck(tmp_path / "home")
    code, _out, err = run_cli(capsys, "export", "med", "-o", str(tmp_path / f"med{suffix}"))
    assert code == 0
    assert err.strip() == (
        f"retain: warning: deck med: 1 media file(s) not included: a {suffix} file carries no media "
        "(export to .apkg, .toml or .md to take them): cat.png"
    )
    code, _out, err = run_cli(capsys, "export", "med", "-o", str(tmp_path / "med.md"))
    assert code == 0 and err == ""
