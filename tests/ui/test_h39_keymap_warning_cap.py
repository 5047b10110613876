"""A [keymap] of 20,000 bogus binding ids (a generated or pasted table) filled the screen for 10 s:
the unknown-id warning joined every id into one toast, and each bad key and each conflict was a
toast of its own. Each kind is now said in a few lines, the rest counted ("and N more"), as the
other config warnings are."""

from __future__ import annotations

from retain.ui.settings_apply import keymap_warnings


def test_unknown_ids_are_named_three_at_most() -> None:
    keymap = {f"no.such{i:05}": "x" for i in range(20_000)}
    warnings = keymap_warnings(keymap)
    assert warnings == [
        "config: [keymap] has unknown binding ids: no.such00000, no.such00001, no.such00002 and 19997 more"
    ]


def test_a_few_unknown_ids_are_all_named() -> None:
    assert keymap_warnings({"a.b": "x", "c.d": "y", "e.f": "z"}) == [
        "config: [keymap] has unknown binding ids: a.b, c.d, e.f"
    ]


def test_a_huge_unknown_id_is_cut_short() -> None:
    [warning] = keymap_warnings({"x" * 100_000: "q"})
    assert len(warning) < 200 and warning.endswith("...")


def test_bad_keys_and_conflicts_are_said_in_a_few_lines() -> None:
    from textual.binding import Binding

    from retain.ui.app import binding_sections
    from retain.ui.keymap_check import EVERYWHERE

    ids = [
        b.id
        for title, items in binding_sections()
        if title != EVERYWHERE
        for b in items
        if isinstance(b, Binding) and b.id
    ]
    bad = keymap_warnings(dict.fromkeys(ids, "notakey!!"))
    assert len(bad) <= 6 and bad[-1].startswith("config: [keymap] and ") and "more" in bad[-1]
    clash = keymap_warnings(dict.fromkeys(ids, "q"))
    assert len(clash) <= 6 and "more" in clash[-1]
