"""Help lists one line per action in plain words; the palette has one way to it."""

from __future__ import annotations

import re

from textual.binding import Binding

from retain.ui.app import binding_sections
from retain.ui.screens.help import help_content

from .conftest import OpenApp


def sections_text() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    title = ""
    for row in help_content(binding_sections(), {}).plain.split("\n"):
        if row and not row.startswith(" "):
            title = row
            out[title] = []
        elif row.startswith("  ") and title:
            out[title].append(row)
    return out


def test_each_section_lists_an_action_once() -> None:
    for title, rows in sections_text().items():
        words = [row[18:42].strip() for row in rows if row[18:42].strip()]
        assert len(words) == len(set(words)), (title, words)


def test_questions_have_each_arrow_once() -> None:
    rows = sections_text()["Questions"]
    assert sum(row.split()[0] in ("←", "left") for row in rows) == 1
    assert sum(row.split()[0] in ("→", "right") for row in rows) == 1


def test_every_binding_id_is_shown_also_on_shared_lines() -> None:
    """Help says "Remap a key ... with the id shown after it", but lines shared by two ids (Quit:
    `q` app.quit and ctrl+c app.quit_now; a dialog's Cancel) showed no id at all."""
    text = help_content(binding_sections(), {}).plain
    ids = {b.id for _, items in binding_sections() for b in items if isinstance(b, Binding) and b.id}
    assert ids and [i for i in sorted(ids) if not re.search(rf" {re.escape(i)}$", text, re.M)] == []
    rows = sections_text()
    # each id's row has its own keys; a row with the keys of the row above leaves them out
    assert rows["Everywhere"][:2] == [
        f"  {'q':<15} {'Quit':<24}app.quit",
        f"  {'ctrl+c':<15} {'':<24}app.quit_now",
    ]
    assert [row.split() for row in rows["Settings"] if "settings.close" in row or "settings.quit" in row] == [
        ["esc", "Close", "settings.close"],
        ["q", "settings.quit"],
    ]
    cancel = [row.split() for row in rows["Questions"] if row.split()[-1].endswith(".cancel")]
    assert cancel == [["esc", "Cancel", "confirm.cancel"], ["deck_picker.cancel"]]


def test_a_remapped_shared_id_shows_its_own_keys() -> None:
    text = help_content(binding_sections(), {"app.quit_now": "ctrl+q"}).plain
    assert re.search(r"^  ctrl\+q +app\.quit_now$", text, re.M), text[:300]


# Keys that do two things by design, one per study phase (before and after the reveal).
PHASE_KEYS = {("Study", "space"), ("Study", "⏎")}


def test_each_key_is_on_one_line_per_section() -> None:
    """Esc in a question is one action (cancel), listed once, not under both No and Cancel."""
    for title, rows in sections_text().items():
        if title.startswith("Remap"):
            continue
        seen: dict[str, str] = {}
        for row in rows:
            if not row[2:18].strip():
                continue  # another id of the action above, with the same keys
            match = re.match(r"  ((?:\S+, )*\S+,?)(?: |$)", row)
            assert match is not None, row
            keys = match.group(1).rstrip(",").split(", ")  # a long list goes on on the row below
            for key in keys:
                assert key not in seen or (title, key) in PHASE_KEYS, (title, key, seen.get(key), row)
                seen[key] = row


def test_long_key_lists_stay_apart_from_their_words() -> None:
    """`pgdn, ctrl+d, space` pushed "Page down" and its binding id out of their columns: a list
    too long for the keys column goes on on the row below, cut after a comma."""
    rows = sections_text()["Help"]
    at = next(n for n, row in enumerate(rows) if "help.page_down" in row)
    assert rows[at : at + 2] == [f"  {'pgdn, ctrl+d,':<15} {'Page down':<24}help.page_down", "  space"]
    text = help_content(binding_sections(), {}, 70).plain
    with_id = [row for row in text.splitlines() if re.search(r" [a-z_]+\.[a-z_]+$", row)]
    assert with_id and [row for row in with_id if not re.match(r"  .{15} .{24}[a-z]", row)] == []


def test_the_answer_key_says_what_it_records() -> None:
    rows = sections_text()["Study"]
    assert any("Suggested rating" in row and "review.answer_good" in row for row in rows)


async def test_palette_offers_help_but_not_textuals_keys(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Help" in titles and "Keys" not in titles


def test_the_remap_example_is_no_keymap_conflict() -> None:
    """Help ended with `"review.reveal" = "space,enter,j"`: copied into config.toml it warned at
    every start (j is Scroll down on Study). The example, as shown, must be a clean remapping."""
    from retain.ui.settings_apply import keymap_warnings

    body = help_content(binding_sections(), {}).plain
    found = re.findall(r'^\s*"([a-z_.]+)" = "([^"]+)"$', body, re.MULTILINE)
    assert len(found) == 1, body[-200:]
    example = dict(found)
    assert keymap_warnings(example) == [], f"help's own example {example} warns: {keymap_warnings(example)}"


def test_the_keymap_examples_of_readme_and_docs_are_no_conflicts() -> None:
    """The same for every `"id" = "keys"` remapping README.md and docs/ show, but the one that
    docs/settings.md gives as an example of a conflict."""
    from pathlib import Path

    from retain.ui.settings_apply import keymap_warnings

    root = Path(__file__).resolve().parents[2]
    meant_as_conflicts = {("home.browse", "q")}
    examples: list[tuple[str, str, str]] = []
    for path in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        text = path.read_text("utf-8")
        for binding_id, keys in re.findall(r'"([a-z_]+\.[a-z_]+)" = "([^"]*)"', text):
            if (binding_id, keys) not in meant_as_conflicts:
                examples.append((path.name, binding_id, keys))
    assert examples  # README's [keymap] at least
    warned = [(name, i, k, keymap_warnings({i: k})) for name, i, k in examples if keymap_warnings({i: k})]
    assert warned == []


def test_the_keymap_examples_of_readme_and_docs_keep_the_shipped_keys() -> None:
    """README's config example had `"review.reveal" = "space"`: copied as shown, Enter no longer
    showed the answer, though the same README says "Space or Enter shows the answer". Every
    example remapping (but the one docs/settings.md shows as a conflict) adds keys and keeps the
    ones the docs describe."""
    from pathlib import Path

    from retain.ui.keymap_check import binding_keys

    root = Path(__file__).resolve().parents[2]
    meant_as_conflicts = {("home.browse", "q")}
    bindings = {b.id: b for _, items in binding_sections() for b in items if isinstance(b, Binding) and b.id}
    checked = 0
    for path in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        for binding_id, keys in re.findall(r'"([a-z_]+\.[a-z_]+)" = "([^"]*)"', path.read_text("utf-8")):
            if (binding_id, keys) in meant_as_conflicts:
                continue
            binding = bindings[binding_id]
            shipped, remapped = binding_keys(binding, {}), binding_keys(binding, {binding_id: keys})
            assert set(shipped) <= set(remapped), f"{path.name}: {binding_id} = {keys!r} drops {shipped}"
            checked += 1
    assert checked >= 2  # README's and settings.md's at least
