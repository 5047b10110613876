"""`[keymap]` entries that take a key another binding of the same screen uses are reported, not silent."""

from __future__ import annotations

from textual.binding import Binding

from retain.ui.app import binding_sections
from retain.ui.keymap_check import EVERYWHERE, binding_keys, keymap_conflicts, unknown_ids
from retain.ui.settings_apply import keymap_warnings


def test_the_shipped_bindings_have_no_conflicts() -> None:
    assert keymap_conflicts(binding_sections(), {}) == []


def test_taking_q_on_the_deck_list_hides_quit() -> None:
    conflicts = keymap_conflicts(binding_sections(), {"home.browse": "q"})
    assert [(c.key, c.first.id, c.second.id, c.section) for c in conflicts] == [
        ("q", "home.browse", "app.quit", "Decks")
    ]
    assert conflicts[0].message() == "`q` is both Browse (home.browse) and Quit (app.quit) on Decks"


def test_every_remap_onto_a_key_of_the_same_screen_is_a_conflict() -> None:
    """The class: for each screen, remapping any binding to another binding's key (of that screen or
    of the app) is reported, naming both."""
    sections = binding_sections()
    everywhere = next(b for t, b in sections if t == EVERYWHERE)
    checked = 0
    for title, items in sections:
        bindings = [b for b in items if isinstance(b, Binding) and b.id]
        scope = (
            bindings if title == EVERYWHERE else bindings + [b for b in everywhere if isinstance(b, Binding)]
        )
        for mover in bindings:
            for other in scope:
                if other.action == mover.action or other.id == mover.id:
                    continue
                key = binding_keys(other, {})[0]
                if key in binding_keys(mover, {}):
                    continue  # they share it as shipped: keeping it is no conflict (below)
                found = keymap_conflicts(sections, {mover.id or "": key})
                assert any({c.first.id, c.second.id} == {mover.id, other.id} for c in found), (
                    title,
                    mover,
                    key,
                )
                checked += 1
    assert checked > 100


def test_a_character_and_its_key_name_are_the_same_key() -> None:
    found = keymap_conflicts(binding_sections(), {"home.browse": "?"})
    assert any(c.second.id == "app.help" for c in found)


def test_moving_quit_away_frees_q() -> None:
    assert keymap_conflicts(binding_sections(), {"home.browse": "q", "app.quit": "ctrl+q"}) == []


def test_warnings_name_unknown_ids_and_conflicts() -> None:
    warnings = keymap_warnings({"home.browse": "q", "no.such": "x"})
    assert warnings[0] == "config: [keymap] has unknown binding ids: no.such"
    assert "conflict" in warnings[1] and "app.quit" in warnings[1]


def test_keeping_a_shared_shipped_key_is_no_conflict() -> None:
    """The README's own example, `"review.reveal" = "space"`, warned at every start that space is
    both Show answer and Suggested rating: they share it as shipped (which one acts depends on
    the phase). Only a key the remap brings in can clash."""
    sections = binding_sections()
    assert keymap_conflicts(sections, {"review.reveal": "space"}) == []
    assert keymap_conflicts(sections, {"review.reveal": "space,enter"}) == []
    added = keymap_conflicts(sections, {"review.reveal": "space,enter,j"})
    assert [c.key for c in added] == ["j"]  # the real one: j scrolls down


def test_a_key_name_that_is_no_key_is_said() -> None:
    """`"home.stats" = "ctrl+"` and `"home.browse" = "notakey!!"` were taken silently, and both
    bindings were dead (the help screen listed them as they were written)."""
    keymap = {"home.stats": "ctrl+", "home.browse": "notakey!!", "review.undo": "u,ctrl+z", "home.quit": "+"}
    warnings = keymap_warnings(keymap)
    assert [w for w in warnings if "is not a key" in w] == [
        "config: [keymap] home.stats = 'ctrl+' is not a key (like ctrl+s, space, f1, j)",
        "config: [keymap] home.browse = 'notakey!!' is not a key (like ctrl+s, space, f1, j)",
    ]


def test_the_dialogs_binding_ids_are_known() -> None:
    """`"import.cancel" = "ctrl+g"` worked (ctrl+g closed the import dialog), yet retain warned at
    start "config: [keymap] has unknown binding ids: import.cancel" (and the same for the export,
    deck-scope and progress dialogs)."""
    keymap = {i: "ctrl+g" for i in ("import.cancel", "export.cancel", "scope_picker.cancel", "busy.cancel")}
    assert unknown_ids(binding_sections(), keymap) == []
    assert keymap_warnings(keymap) == []


def _declared_binding_ids() -> dict[str, list[str]]:
    """Every binding id a screen, widget or app class of retain.ui declares, by class."""
    import importlib
    import inspect
    import pkgutil

    from textual.dom import DOMNode

    import retain.ui

    found: dict[str, list[str]] = {}
    for info in pkgutil.walk_packages(retain.ui.__path__, "retain.ui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, DOMNode):
                continue
            own = vars(cls).get("BINDINGS", [])
            ids = [b.id for b in own if isinstance(b, Binding) and b.id]
            if ids:
                found[f"{module.__name__}.{cls.__qualname__}"] = ids
    return found


def test_every_binding_id_of_every_screen_is_known() -> None:
    """The class: a screen left out of `binding_sections` has its ids called unknown by the
    `[keymap]` check (and missing from `?`). Every class with id'd bindings is found, so a new
    screen cannot be forgotten."""
    declared = _declared_binding_ids()
    assert "retain.ui.screens.share_import.ImportScreen" in declared  # the walk finds the dialogs
    known = {b.id for _, items in binding_sections() for b in items if isinstance(b, Binding)}
    missing = {name: [i for i in ids if i not in known] for name, ids in declared.items()}
    assert {name: ids for name, ids in missing.items() if ids} == {}
