"""hashcards Markdown decks from the real world: separators, stray text, TeX, images, and ids.

The fixtures in tests/fixtures/hashcards/ are shaped like decks people keep:
a heading, `---` separators between cards, four stray quotes after the last
separator, TeX with backslashes and brackets, and an image relative to the
collection root.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from retain.core.deckfile import parse_deck
from retain.core.model import Card, Deck
from retain.interop.errors import InteropError
from retain.interop.hashcards import is_separator, is_tag
from retain.interop.importer import read_file
from retain.interop.markdown import write_markdown

from .conftest import run_cli, tree
from .strategies import decks

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "hashcards"


def _read(path: Path, stage: Path) -> tuple[Deck, list[str], dict[str, Path]]:
    stage.mkdir(exist_ok=True)
    bundle = read_file(path, stage)
    assert len(bundle.decks) == 1
    return bundle.decks[0], bundle.warnings, bundle.media


def _bodies(deck: Deck) -> list[tuple[str, str, str]]:
    return [(c.kind, c.front or c.text, c.back) for c in deck.cards]


def test_separators_end_cards_and_never_become_text(tmp_path: Path) -> None:
    deck, _, _ = _read(FIXTURES / "Physics.md", tmp_path / "stage")
    for card in deck.cards:
        for text in (card.front, card.back, card.text):
            assert "---" not in text, card
    assert deck.cards[0].back == "The newton."


def test_stray_text_is_warned_with_its_line_and_never_merged(tmp_path: Path) -> None:
    deck, warnings, _ = _read(FIXTURES / "Physics.md", tmp_path / "stage")
    last = deck.cards[-1]
    assert last.text == "A {{c1::group}} is a set with an {{c2::associative}} operation."
    stray = [w for w in warnings if "outside any card" in w]
    # the heading (line 1) is ignored quietly; the text under it and the quotes are not cards
    assert stray == [
        "line 3: text outside any card ignored (hashcards 0.4 ignores it; newer versions refuse it)",
        "lines 34-37: text outside any card ignored (hashcards 0.4 ignores it; newer versions refuse it)",
    ]


def test_tex_backslashes_come_through_as_hashcards_reads_them(tmp_path: Path) -> None:
    deck, _, _ = _read(FIXTURES / "Physics.md", tmp_path / "stage")
    texts = [c.text for c in deck.cards if c.kind == "cloze"]
    assert texts[0] == r"The Laplacian is {{c1::$\nabla^2 f = \sum_i \partial_i^2 f$}}."
    # only `\[` and `\]` are escapes: `\!` and `\\` stay as written
    assert texts[1] == r"In LaTeX, {{c1::`[`}} opens display math and a thin negative space is {{c2::`\!`}}."
    assert texts[2] == (
        r"The matrix is $\begin{pmatrix} a \\ b \end{pmatrix}$ and the gamma function is {{c1::$\Gamma$}}."
    )


def test_export_writes_tex_that_hashcards_reads_unchanged(tmp_path: Path) -> None:
    card = Card(
        id="gamma", kind="cloze", text=r"The gamma function is {{c1::$\Gamma$}}; a row break is $a \\ b$."
    )
    text = write_markdown(Deck(id="math", name="Math", cards=(card,)))
    assert r"C: The gamma function is [$\Gamma$]; a row break is $a \\ b$." in text
    assert "<!--" not in text  # current hashcards refuses HTML comment lines between cards


def test_export_keeps_ids_in_front_matter_only(tmp_path: Path) -> None:
    cards = (
        Card(id="capital", front="What is the capital of France?", back="Paris"),
        Card(id="rev", kind="reversed", front="dog", back="perro", tags=("es",)),
        Card(id="seine", kind="cloze", text="{{c1::Paris}} is on the {{c2::Seine}}."),
    )
    text = write_markdown(Deck(id="geo", name="Geography", version="1.0.0", cards=cards))
    head, body = text.split("\n---\n", 1)
    assert body.strip().startswith("Q: What is the capital of France?")
    assert "capital" not in body.replace("capital of", "")  # no ids in the card text
    assert 'id = "capital"' in head
    out = tmp_path / "geo.md"
    out.write_text(text)
    back, warnings, _ = _read(out, tmp_path / "stage")
    assert not warnings
    assert [(c.id, c.kind, c.tags) for c in back.cards] == [(c.id, c.kind, c.tags) for c in cards]


def test_old_comment_exports_still_read(tmp_path: Path) -> None:
    old = tmp_path / "old.md"
    old.write_text(
        '---\nname = "Old"\nid = "old"\n---\n\n<!-- retain {"id":"isr","kind":"reversed"} -->\n'
        "Q: ISR\nA: In-sync replica\n"
    )
    deck, _, _ = _read(old, tmp_path / "stage")
    assert [(c.id, c.kind, c.front, c.back) for c in deck.cards] == [
        ("isr", "reversed", "ISR", "In-sync replica")
    ]


def test_images_are_imported_like_apkg_media(tmp_path: Path) -> None:
    deck, warnings, media = _read(FIXTURES / "Physics.md", tmp_path / "stage")
    digest = hashlib.sha256((FIXTURES / "images" / "neuron.png").read_bytes()).hexdigest()
    front = deck.cards[1].front
    assert front == f"What does this diagram show?\n\n![diagram](physics.media/{digest}.png)"
    assert set(media) == {f"{digest}.png"}
    assert not [w for w in warnings if "image" in w]


def test_image_paths_that_leave_the_collection_root_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "cards"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("private")
    for ref in ("../secret.txt", str(tmp_path / "secret.txt"), "sub/../../secret.txt"):
        deck_file = root / "Bad.md"
        deck_file.write_text(f"Q: Look\n\n![x]({ref})\n\nA: no\n")
        with pytest.raises(InteropError, match="leaves the collection root"):
            read_file(deck_file, tmp_path)
    link = root / "link.png"
    link.symlink_to(tmp_path / "secret.txt")
    (root / "Bad.md").write_text("Q: Look\n\n![x](link.png)\n\nA: no\n")
    with pytest.raises(InteropError, match="symbolic link"):
        read_file(root / "Bad.md", tmp_path)


def test_missing_image_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "Deck.md").write_text("Q: Look\n\n![x](nope.png)\n\nA: no\n")
    _deck, warnings, media = _read(tmp_path / "Deck.md", tmp_path / "stage")
    assert media == {} and any("line 3: image nope.png not found" in w for w in warnings)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deck=decks())
def test_any_deck_retain_writes_reads_back_identically(deck: Deck) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "deck.md"
        out.write_text(write_markdown(deck), encoding="utf-8")
        bundle = read_file(out, Path(tmp))
    assert not [w for w in bundle.warnings if "not found" not in w]  # `![i](x)` names no real file
    back = bundle.decks[0]
    assert (back.id, back.name, back.group, back.version, back.description, back.tags) == (
        deck.id,
        deck.name,
        deck.group,
        deck.version,
        deck.description,
        deck.tags,
    )
    assert back.cards == deck.cards


# ---- an import never replaces a deck it is not ------------------------------------------


def test_docker_md_does_not_replace_the_bundled_docker_deck(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "Docker.md"
    shutil.copy(FIXTURES / "Docker.md", src)
    code, out, err = run_cli(capsys, "import", str(src))
    assert code == 0, err
    assert "removed" not in out.split("\n")[0] or " 0 removed" in out
    assert "deck id 'docker' is taken by a different deck (Docker, bundled); importing as 'docker-2'" in out
    assert tree(home / "decks") == ["docker-2.toml"]
    code, out, _ = run_cli(capsys, "due", "--json")
    assert '"docker"' in out and '"docker-2"' in out
    # importing the same file again updates the copy, it does not make a third deck
    code, out, _ = run_cli(capsys, "import", str(src))
    assert "0 added, 0 changed, 0 removed, 3 unchanged" in out
    assert tree(home / "decks") == ["docker-2.toml"]
    # said as an update of that copy, not as "importing as" (which read as a third copy)
    assert "importing as" not in out, out
    assert (
        "updating 'docker-2', where this deck was imported before: 'docker' is taken by a different deck"
    ) in out


def test_same_deck_by_its_cards_is_still_an_upgrade(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "docker.md"
    assert run_cli(capsys, "export", "docker", "-o", str(out_file))[0] == 0
    text = out_file.read_text()
    version = re.search(r'version = "(\d+)\.(\d+)\.(\d+)"', text)
    assert version is not None
    newer = f"{version[1]}.{int(version[2]) + 1}.0"
    out_file.write_text(text.replace(version[0], f'version = "{newer}"'))
    code, out, err = run_cli(capsys, "import", str(out_file))
    assert code == 0, err
    old = ".".join(version.groups())
    assert f"deck docker: {old} -> {newer}: 0 added, 0 changed, 0 removed" in out
    assert tree(home / "decks") == ["docker.toml"]


def test_counts_say_notes_and_cards(tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "Physics.md"
    shutil.copytree(FIXTURES, tmp_path / "hc")
    code, out, err = run_cli(capsys, "import", str(tmp_path / "hc" / "Physics.md"))
    assert code == 0, err
    # 6 entries: 2 basic, 4 cloze with 1+2+1+2 deletions -> 8 review cards
    assert "imported deck physics: 6 notes, 8 cards" in out
    deck = parse_deck((home / "decks" / "physics.toml").read_text()).deck
    assert deck is not None and len(deck.cards) == 6
    assert src.name == "Physics.md"


def test_read_file_passes_the_stage_for_md(tmp_path: Path) -> None:
    stage = tmp_path / "stage"
    stage.mkdir()
    bundle = read_file(FIXTURES / "Physics.md", stage)
    assert bundle.media and all(p.parent == stage for p in bundle.media.values())


def test_markdown_export_carries_its_images(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(FIXTURES, tmp_path / "hc")
    assert run_cli(capsys, "import", str(tmp_path / "hc" / "Physics.md"))[0] == 0
    out = tmp_path / "out" / "physics.md"
    code, _msg, err = run_cli(capsys, "export", "physics", "-o", str(out))
    assert code == 0, err
    digest = hashlib.sha256((FIXTURES / "images" / "neuron.png").read_bytes()).hexdigest()
    assert (tmp_path / "out" / "physics.media" / f"{digest}.png").is_file()
    stage = tmp_path / "stage"
    stage.mkdir()
    bundle = read_file(out, stage)
    assert not [w for w in bundle.warnings if "image" in w] and set(bundle.media) == {f"{digest}.png"}
    installed = parse_deck((home / "decks" / "physics.toml").read_text()).deck
    assert installed is not None
    assert [replace(c, line=0) for c in bundle.decks[0].cards] == [
        replace(c, line=0) for c in installed.cards
    ]


def test_what_hashcards_sees_in_an_export(tmp_path: Path) -> None:
    """hashcards reads only `name` from the front matter: without retain's table the cards are the same text."""
    cards = (
        Card(id="force", front="What is the SI unit of force?\n\nThink of apples.", back="The newton."),
        Card(id="gamma", kind="cloze", text=r"The {{c1::gamma}} function is {{c2::$\Gamma(n) = (n-1)!$}}."),
        Card(id="sep", front="A Markdown rule:\n---\nQ: is not a tag here", back="[literal] \\[x\\]"),
        Card(id="list", kind="cloze", text="Keys: {{c1::`[`}} and {{c2::`]`}}; a ![diagram](d.png) stays."),
    )
    text = write_markdown(Deck(id="m", name="Mixed", cards=cards))
    _head, body = text.split("\n---\n", 1)
    plain = tmp_path / "Mixed.md"
    plain.write_text('---\nname = "Mixed"\n---\n' + body)  # what hashcards uses of the file
    (tmp_path / "d.png").write_bytes(b"png")
    stage = tmp_path / "stage"
    stage.mkdir()
    seen = read_file(plain, stage).decks[0].cards
    assert [c.front for c in seen[:1]] == [cards[0].front]
    assert seen[1].text == cards[1].text
    # a content line hashcards would take for a separator or a tag is written so that it does not
    assert "\n\\---\n\\Q: is not a tag here\n" in body
    assert not is_separator("\\---") and not is_tag("\\Q: is not a tag here")
    assert seen[2].back == cards[2].back  # Q/A text has no escapes in hashcards
    assert seen[3].text.split("a ![diagram]")[0] == cards[3].text.split("a ![diagram]")[0]


def test_a_card_with_a_crlf_in_its_text_keeps_its_id_through_markdown(tmp_path: Path) -> None:
    """The reader turns CRLF into LF before it keys a block; the writer keyed the block with its
    CRLF, so the card lost its id (and its progress): "1 added ... 1 removed" on re-import."""
    deck = Deck(
        "cr",
        "CR",
        (Card("cr-card", front="carriage\r\nreturn", back="b"), Card("plain", front="plain", back="b")),
    )
    path = tmp_path / "cr.md"
    path.write_text(write_markdown(deck), encoding="utf-8", newline="")
    back, _warnings, _media = _read(path, tmp_path / "stage")
    assert [c.id for c in back.cards] == ["cr-card", "plain"]
    assert back.cards[0].front == "carriage\r\nreturn"  # exact: [retain] keeps what the file's text cannot


def test_the_example_in_sharing_md_is_read_as_it_says(tmp_path: Path) -> None:
    """docs/sharing.md's example had made-up `h` hashes: its `[retain]` entries matched no card,
    so `isr` came in as a basic card with an id made from its text. Copied from the docs, the
    example keeps its ids and kinds, and is what retain's own export writes."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "sharing.md").read_text("utf-8")
    section = docs.split("## Markdown (`.md`, hashcards style)", 1)[1]
    example = re.search(r"```\n(.*?)```", section, re.S)
    assert example is not None
    path = tmp_path / "kafka.md"
    path.write_text(example[1], "utf-8")
    deck, warnings, _ = _read(path, tmp_path / "stage")
    assert warnings == []
    assert [(c.id, c.kind) for c in deck.cards] == [("isr", "reversed"), ("leader-and-followers", "cloze")]
    assert write_markdown(deck) == example[1]


def test_markdown_with_classic_mac_line_ends_reads_its_cards(tmp_path: Path) -> None:
    path = tmp_path / "mac.md"
    path.write_bytes(b"Q: a\rA: b\r\rQ: c\rA: d\r")
    deck, warnings, _media = _read(path, tmp_path / "stage")
    assert [(c.front, c.back) for c in deck.cards] == [("a", "b"), ("c", "d")] and not warnings
