"""Help lists one line per action in plain words; the palette has one way to it."""

from __future__ import annotations

import re

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
        words = [row[18:42].strip() for row in rows]
        assert len(words) == len(set(words)), (title, words)


def test_questions_have_each_arrow_once_and_no_raw_ids_for_shared_lines() -> None:
    rows = sections_text()["Questions"]
    assert sum(row.split()[0] in ("←", "left") for row in rows) == 1
    assert sum(row.split()[0] in ("→", "right") for row in rows) == 1
    assert not any("yes_no_previous" in row for row in rows)


# Keys that do two things by design, one per study phase (before and after the reveal).
PHASE_KEYS = {("Study", "space"), ("Study", "⏎")}


def test_each_key_is_on_one_line_per_section() -> None:
    """Esc in a question is one action (cancel), listed once, not under both No and Cancel."""
    for title, rows in sections_text().items():
        if title.startswith("Remap"):
            continue
        seen: dict[str, str] = {}
        for row in rows:
            match = re.match(r"  ((?:\S+, )*\S+) ", row)
            assert match is not None, row
            keys = match.group(1).split(", ")
            for key in keys:
                assert key not in seen or (title, key) in PHASE_KEYS, (title, key, seen.get(key), row)
                seen[key] = row


def test_long_key_lists_stay_apart_from_their_words() -> None:
    rows = sections_text()["Help"]
    assert any("ctrl+d, space Page down" in row for row in rows), rows


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
