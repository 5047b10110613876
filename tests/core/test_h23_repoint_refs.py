"""`repoint_refs`: the one re-pointing of a text's media references to another deck's folder (a deck
imported under a new id, a card moved with `m`), and its renames (a name the new folder holds
with other bytes)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from retain.core.mediaref import media_refs, repoint_refs, written_target

_IDS = st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True)
_NAMES = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30
)


def test_only_the_old_folder_moves_and_a_rename_names_the_new_file() -> None:
    text = "a ![x](old.media/p.png) `![c](old.media/p.png)` ![y](other.media/q.png) ![z](<old.media/my p.png> 't')"
    out = repoint_refs(text, "old", "new", {"my p.png": "my p-2.png"})
    assert (
        out
        == "a ![x](new.media/p.png) `![c](old.media/p.png)` ![y](other.media/q.png) ![z](<new.media/my p-2.png> 't')"
    )


@given(old=_IDS, new=_IDS, name=_NAMES, alt=st.text(alphabet="ab c", max_size=5), before=st.text(max_size=20))
def test_each_reference_names_the_same_file_in_the_new_folder(
    old: str, new: str, name: str, alt: str, before: str
) -> None:
    target = written_target(f"{old}.media/{name}")
    if target is None or old == new:
        return
    text = f"{before} ![{alt}]({target})"
    refs = media_refs(text)
    out = repoint_refs(text, old, new)
    moved = media_refs(out)
    assert [(r.folder, r.name, r.alt) for r in moved] == [
        (new if r.folder == old else r.folder, r.name, r.alt) for r in refs
    ]
    assert repoint_refs(out, new, old) == text or any(r.folder == new for r in refs)


@given(old=_IDS, new=_IDS, name=_NAMES, renamed=_NAMES)
def test_a_renamed_file_is_named_in_full(old: str, new: str, name: str, renamed: str) -> None:
    target = written_target(f"{old}.media/{name}")
    if target is None or written_target(f"{new}.media/{renamed}") is None or old == new:
        return
    (ref,) = media_refs(repoint_refs(f"![i]({target})", old, new, {name: renamed}))
    assert (ref.folder, ref.name) == (new, renamed)
