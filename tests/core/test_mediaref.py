"""Media references in card text, split where they stand; file names checked as data."""

from __future__ import annotations

import pytest

from retain.core.mediaref import MAX_SHOWN, MediaRef, is_safe_name, media_refs, short_name, split_media

HASH = "3fa9c2d1" + "0" * 56


def test_split_keeps_each_reference_in_its_place() -> None:
    text = f"What is this?\n\n![image](pics.media/{HASH}.png)\n\nName it. ![audio](pics.media/hi.mp3) end"
    parts = split_media(text)
    assert parts == [
        "What is this?\n\n",
        MediaRef("image", "pics", f"{HASH}.png"),
        "\n\nName it. ",
        MediaRef("audio", "pics", "hi.mp3"),
        " end",
    ]
    kinds = [p.kind for p in parts if isinstance(p, MediaRef)]
    assert kinds == ["image", "audio"]


def test_references_in_code_urls_and_other_paths_stay_text() -> None:
    text = "`![x](pics.media/a.png)` ![web](https://example.com/a.png) ![rel](img/a.png)"
    assert split_media(text) == [text]
    assert media_refs("```\n![x](pics.media/a.png)\n```") == []


def test_angle_bracket_targets_allow_spaces() -> None:
    assert media_refs("![](<pics.media/my file.png>)") == [MediaRef("", "pics", "my file.png")]


@pytest.mark.parametrize(
    "name", ["../secret.png", "..", ".", "a/b.png", "a\\b.png", "~root.png", "C:evil.png", "a\x1bb.png", ""]
)
def test_unsafe_names(name: str) -> None:
    assert not is_safe_name(name)


@pytest.mark.parametrize("name", ["a.png", "$(touch pwned).png", "-rf.mp3", "; rm -rf ~.png", "日本.jpg"])
def test_names_that_look_like_shell_are_still_just_names(name: str) -> None:
    assert is_safe_name(name)


def test_traversal_reference_is_split_out_but_marked_unsafe() -> None:
    (ref,) = media_refs("![image](pics.media/../../etc/passwd)")
    assert ref.name == "../../etc/passwd" and not ref.safe


def test_short_name_cuts_content_hashes() -> None:
    assert short_name(f"{HASH}.png") == "3fa9c2d1….png"
    assert short_name("hello.mp3") == "hello.mp3"


def test_a_card_with_thousands_of_media_references_splits_out_only_the_first_few() -> None:
    text = "lots " + " ".join(f"![image](m.media/p{i}.png)" for i in range(3000)) + " end"
    parts = split_media(text)
    assert sum(isinstance(p, MediaRef) for p in parts) == MAX_SHOWN
    texts = [p for p in parts if isinstance(p, str)]  # (85 KB: over PLACE_BUDGET, drawn after it)
    assert texts and texts[-1].endswith("![image](m.media/p2999.png) end")
    assert len(media_refs(text)) == 3000  # exports still carry every file
