"""A deck's name, group and description as an `.apkg` import takes them from its Anki deck.

A retain export writes the deck's own fields into a comment at the end of the Anki deck's
description (`ankinote.deck_description`): its exact name and group (a name may hold `::`, and
Anki's name of a deck whose name another deck of the package has gets the deck's id added) and
its description's Markdown, whose HTML is the visible part. Those are the deck's only while Anki
still has what the export wrote: a deck renamed or moved in Anki takes Anki's name and group, and a
description edited in Anki is read from its HTML, as for a deck that started in Anki. The comment
keeps the deck's id (so the deck is still the same one) and its other fields either way.
"""

from __future__ import annotations

from typing import Any

from retain.interop.anki.ankinote import split_deck_description, split_deck_name
from retain.interop.html import html_to_text, markdown_to_html

__all__ = ["current_deck_meta"]


def current_deck_meta(full: str, desc: str) -> dict[str, Any]:
    """The retain deck metadata of the Anki deck named `full` with description `desc`: the
    comment's fields, with the name, group and description Anki has now (see the module)."""
    visible, meta = split_deck_description(desc)
    if _name_kept(full, meta):
        group = meta.get("group", "")
        meta["group"] = group if isinstance(group, str) else ""  # (none written: no group)
    else:
        meta["group"], meta["name"] = split_deck_name(full)
    written = meta.get("description")
    if not _shown_as_written(visible, written if isinstance(written, str) else ""):
        meta["description"] = html_to_text(visible)
    return meta


def _name_kept(full: str, meta: dict[str, Any]) -> bool:
    """Whether Anki's name of the deck is still the one the export gave it (Anki's own trimming
    of each part aside): `Group::Name`, or the name alone, maybe with ` (deck id)` added."""
    name, group = meta.get("name"), meta.get("group", "")
    if not isinstance(name, str) or not isinstance(group, str):
        return False
    written = f"{group}::{name}" if group else name
    return _key(full) in (_key(written), _key(f"{written} ({meta.get('id')})"))


def _key(full: str) -> str:
    return "::".join(part.strip() for part in full.split("::"))


def _shown_as_written(visible: str, markdown: str) -> bool:
    """Whether the description's visible HTML is still what the export made of `markdown`."""
    return visible.strip() == markdown_to_html(markdown).strip()
