"""h14: a media reference whose folder is written with CommonMark backslash escapes
(`![x](pics\\.media/x.png)`, `![y](pics.media\\/y.png)`) names `pics.media/x.png` as the study
screen reads it (`core.mediaref.ref_target`), and so for every other place too.

Before: three places looked for the folder with a plain substring test before reading any
reference, so they skipped such a one: `retain check` (`".media/" in text`) did not warn about
`pics.media\\/gone.png`; an export (`referenced_media`, the same test) did not copy `y.png` nor
name it when missing; a `.toml` import (`_rename_media`, `"pics.media/" in text`) staged `x.png`
under its content-hash name but left the card pointing at `x.png`, so the file was dropped and
the imported card's image was missing. Now every place asks `core.mediaref.may_hold_refs`,
never narrower than what `REF_RE` reads."""

from __future__ import annotations

import hashlib
import html
import string
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.mediaref import REF_RE, MediaRef, is_safe_name, may_hold_refs, media_refs, ref_target
from retain.core.model import Card, Deck
from retain.interop.bundle import Bundle
from retain.interop.html import markdown_to_html
from retain.interop.importer import _renamed
from retain.interop.media import missing_media, referenced_media
from retain.interop.native import _rename_media
from retain.store.media import media_problems

from .conftest import run_cli

PNG_X = b"\x89PNG\r\n\x1a\n" + b"x" * 32
PNG_Y = b"\x89PNG\r\n\x1a\n" + b"y" * 32
HASH_X = hashlib.sha256(PNG_X).hexdigest() + ".png"
HASH_Y = hashlib.sha256(PNG_Y).hexdigest() + ".png"
CARDS = {  # card id -> front; a literal TOML string, so the backslashes are the Markdown's
    "c1": r"dot escaped ![x](pics\.media/x.png)",
    "c2": r"slash escaped ![y](pics.media\/y.png)",
    "c3": r"both, angle brackets ![g](<pics\.media\/gone.png>)",
    "c4": r"slash escaped, missing ![w](pics.media\/gone2.png)",
}


def _deck(folder: Path, *, files: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = "".join(
        f'\n[[cards]]\nid = "{cid}"\nfront = \'{front}\'\nback = "a"\n' for cid, front in CARDS.items()
    )
    path = folder / "pics.toml"
    path.write_text(f'format = 1\n[deck]\nid = "pics"\nname = "Pics"\n{body}', encoding="utf-8")
    if files:
        (folder / "pics.media").mkdir()
        (folder / "pics.media" / "x.png").write_bytes(PNG_X)
        (folder / "pics.media" / "y.png").write_bytes(PNG_Y)
    return path


def test_the_study_screen_reads_each_escaped_folder() -> None:
    """The reading every other place must agree with."""
    names = [r.name for front in CARDS.values() for r in media_refs(front) if r.folder == "pics"]
    assert names == ["x.png", "y.png", "gone.png", "gone2.png"]


def test_check_warns_about_each_missing_file_whatever_the_escapes(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _deck(tmp_path / "src")
    code, out, err = run_cli(capsys, "check", str(path))
    assert code == 0, err
    assert "card 'c3': media 'gone.png' not found in" in out, out
    assert "card 'c4': media 'gone2.png' not found in" in out, out
    assert "2 warning(s)" in out + err, out + err


def test_media_problems_reads_an_escaped_slash(tmp_path: Path) -> None:
    deck = Deck("pics", "Pics", (Card("w", front=CARDS["c4"], line=3),), path=str(tmp_path / "pics.toml"))
    (problem,) = media_problems(deck)
    assert "card 'w': media 'gone2.png' not found in" in problem.message


def test_referenced_media_reads_every_escaped_folder() -> None:
    cards = tuple(Card(cid, front=front) for cid, front in CARDS.items())
    assert referenced_media(Deck("pics", "Pics", cards)) == ["x.png", "y.png", "gone.png", "gone2.png"]


def test_a_toml_import_copies_and_repoints_each_file_whatever_the_escapes(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "import", str(_deck(tmp_path / "src")))
    assert code == 0, err
    assert "2 media file(s) not found in" in err and "gone.png, gone2.png" in err, err
    stored = home / "decks" / "pics.media"
    assert sorted(p.name for p in stored.iterdir()) == sorted([HASH_X, HASH_Y])
    deck = parse_deck((home / "decks" / "pics.toml").read_text(encoding="utf-8")).deck
    assert deck is not None
    refs = {c.id: [r.name for r in media_refs(c.front)] for c in deck.cards}
    assert refs == {"c1": [HASH_X], "c2": [HASH_Y], "c3": ["gone.png"], "c4": ["gone2.png"]}
    code, out, err = run_cli(capsys, "check", str(home / "decks" / "pics.toml"))
    # both images open after the import; only the two files never shared are missing
    assert HASH_X[:16] not in out and HASH_Y[:16] not in out, out
    assert "'gone.png' not found" in out and "'gone2.png' not found" in out and "2 warning(s)" in err, (
        out + err
    )


def test_rename_media_repoints_an_escaped_folder() -> None:
    deck = Deck("pics", "Pics", tuple(Card(cid, front=front) for cid, front in CARDS.items()))
    bundle = Bundle("toml", [deck], texts={deck.id: ""})
    _rename_media(bundle, deck, "", {"x.png": HASH_X, "y.png": HASH_Y})
    (renamed,) = bundle.decks
    assert [r.name for c in renamed.cards for r in media_refs(c.front)] == [
        HASH_X,
        HASH_Y,
        "gone.png",
        "gone2.png",
    ]


@pytest.mark.parametrize("suffix", [".toml", ".md", ".apkg"])
def test_an_export_carries_each_file_and_names_each_missing_one(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    # The deck in the library as written (a configured deck folder would hold it so): files beside.
    _deck(home / "decks")
    out_file = tmp_path / "out" / f"e{suffix}"
    code, _out, err = run_cli(capsys, "export", "pics", "-o", str(out_file))
    assert code == 0, err
    assert "2 media file(s) not found in" in err and "gone.png, gone2.png" in err, err
    if suffix == ".apkg":
        with zipfile.ZipFile(out_file) as z:
            packed = sorted(z.read(n) for n in z.namelist() if n.isdigit())
        assert packed == sorted([PNG_X, PNG_Y])
    else:
        folder = out_file.parent / "pics.media"
        assert sorted(p.name for p in folder.iterdir()) == ["x.png", "y.png"]


def test_may_hold_refs_is_never_narrower_than_the_pattern() -> None:
    for front in CARDS.values():
        assert may_hold_refs(front)
    assert not may_hold_refs("no image here, only media")
    assert not may_hold_refs("![a URL](https://example.com/a.png)")


# ---- one property: any spelling of a target, every place names the same file ----

_PUNCT = "".join(c for c in string.punctuation if c not in "/\\`&")  # (code spans, entities: other rules)
_NAME = st.text(alphabet=string.ascii_letters + string.digits + _PUNCT + " ", min_size=1, max_size=12)
_MUST = "()<>\\"  # escaped always: a bare target's unbalanced parentheses, any target's brackets


def _spell(target: str, escape: list[bool], angle: bool) -> str:
    out = []
    for i, c in enumerate(target):
        if c in string.punctuation and (c in _MUST or escape[i % len(escape)]):
            out.append("\\" + c)
        else:
            out.append(c)
    written = "".join(out)
    return f"<{written}>" if angle else written


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    deck_id=st.sampled_from(["pics", "my-pics", "k8s"]),
    name=_NAME,
    escape=st.lists(st.booleans(), min_size=1, max_size=16),
    angle=st.booleans(),
)
@example(deck_id="pics", name="$0$", escape=[False], angle=False)  # math marks in the .apkg's src
@example(deck_id="pics", name="%00{", escape=[False], angle=False)  # a `%` kept as an escape in the src
def test_every_place_names_the_same_file_whatever_the_escapes(
    deck_id: str, name: str, escape: list[bool], angle: bool
) -> None:
    assume(is_safe_name(name) and name.strip() == name)
    angle = angle or " " in name
    target = f"{deck_id}.media/{name}"
    ref = f"![img]({_spell(target, escape, angle)})"
    m = REF_RE.fullmatch(ref)
    assume(m is not None and ref_target(m) == target)
    front = f"see {ref} here"
    card = Card("c", front=front, line=7)
    deck = Deck(deck_id, "D", (card,), path=f"/nonexistent/h14/{deck_id}.toml")

    # the study screen
    assert media_refs(front) == [MediaRef("img", deck_id, name)]
    # an export's copies and an import's staging
    assert referenced_media(deck) == [name]
    assert name in " ".join(missing_media(deck, None))
    # `retain check`
    (problem,) = media_problems(deck)
    assert f"media {name!r} not found" in problem.message
    # a `.toml` import pointing the card at the content-hash name
    bundle = Bundle("toml", [deck], texts={deck.id: ""})
    _rename_media(bundle, deck, "", {name: HASH_X})
    assert media_refs(bundle.decks[0].cards[0].front) == [MediaRef("img", deck_id, HASH_X)]
    # a deck imported under a new id
    moved = _renamed(deck, "other")
    assert media_refs(moved.cards[0].front) == [MediaRef("img", "other", name)]
    # the `.apkg` export's HTML (`<img src>` or `[sound:]`), as `apkg_write` reads a name from it
    rendered = markdown_to_html(front)
    src = html.unescape(rendered.split('src="', 1)[1].split('"', 1)[0]) if 'src="' in rendered else ""
    assert target in (src, unquote(src)), rendered
