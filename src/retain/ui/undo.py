"""Undo outside a study session (home screen, browser): the journal keeps undo durable across screens."""

from __future__ import annotations

from textual.dom import DOMNode

from retain.core.session import action_label, record_undo_action
from retain.store.collection import CollectionError
from retain.ui.access import retain_app
from retain.ui.text import line

__all__ = ["nothing_undone", "undo_last"]


def undo_last(node: DOMNode) -> bool:
    """Take back the newest rating, suspend, bury or reset, or action of several (a bulk suspend or reset: all of it),
    and say what it was; True when something was undone."""
    app = retain_app(node)
    collection = app.collection
    if app.refuse_read_only("undo", after=" Nothing was undone."):
        return False
    try:
        done = record_undo_action(collection, collection.states, app.clock())
    except (CollectionError, OSError) as exc:
        app.notify(f"Not undone: {line(str(exc)).plain}", severity="error", markup=False)
        return False
    if done is None:
        app.notify(nothing_undone(node), markup=False)
        return False
    app.notify(line(action_label(done[0])).plain, markup=False)
    return True


def nothing_undone(node: DOMNode) -> str:
    """What to say when undo took nothing back: why the last rating cannot be (its card changed
    since, or it is older than the undo window), else "Nothing to undo"."""
    app = retain_app(node)
    collection = getattr(app, "collection", None)
    refusal: str | None = None
    if collection is not None:
        try:
            refusal = collection.undo_refusal(app.clock())
        except (CollectionError, OSError):
            refusal = None
    return line(refusal or "Nothing to undo").plain
