"""The settings screen's keymap: every binding with its keys after `[keymap]`, conflicts marked.

Highlight a binding and type its keys below (`space,enter` — Textual's key
names or the character); empty means the default. Each edit posts
`SettingsGrid.Edited(("keymap", ID), keys)` like any other setting, and the
screen calls `show` with the new keymap, which marks every key that two
bindings of one screen now share (`retain.ui.keymap_check`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from retain.ui.keymap_check import bad_key_lines, bad_key_names, binding_keys, keymap_conflicts
from retain.ui.widgets.ordered_keys import OrderedInput
from retain.ui.widgets.settings_grid import SettingsGrid

__all__ = ["KeymapPanel"]

Sections = Sequence[tuple[str, Sequence[BindingType]]]


def _shown(keys: list[str]) -> str:
    from retain.ui.ascii_only import display_key

    return ", ".join(display_key(k) for k in keys)


class KeymapPanel(Vertical):
    DEFAULT_CSS = """
    KeymapPanel { height: 1fr; }
    KeymapPanel > OptionList, KeymapPanel > OptionList:focus { height: 1fr; border: none; padding: 0; }
    KeymapPanel > #keymap-edit { height: 1; margin-top: 1; }
    KeymapPanel #keymap-label { width: 40; color: $text-muted; }
    KeymapPanel #keymap-keys { width: 1fr; background: $boost; }
    KeymapPanel #keymap-keys:focus { background: $surface-lighten-1; }
    KeymapPanel > #keymap-conflicts { height: auto; max-height: 4; color: $warning; }
    """

    def __init__(self, sections: Sections, keymap: Mapping[str, str], *, id: str) -> None:
        super().__init__(id=id)
        self._sections = [(t, [b for b in items if isinstance(b, Binding) and b.id]) for t, items in sections]
        self._keymap: dict[str, str] = dict(keymap)
        self._binding = {b.id: b for _, bindings in self._sections for b in bindings}

    def compose(self) -> ComposeResult:
        yield OptionList(*self._options(set()), id="keymap-list")
        with Horizontal(id="keymap-edit"):
            yield Label("Keys", id="keymap-label")
            yield OrderedInput(id="keymap-keys", compact=True, select_on_focus=False)
        yield Static(id="keymap-conflicts")

    def on_mount(self) -> None:
        self.query_one("#keymap-keys", Input).cursor_blink = False
        self.show(self._keymap)

    def _options(self, conflicted: set[str]) -> list[Option]:
        options: list[Option] = []
        listed: set[str] = set()  # one entry per binding id: dialogs may share one (confirm.cancel)
        for title, bindings in self._sections:
            options.append(Option(Content.styled(title, "bold $accent"), disabled=True))
            for b in bindings:
                if b.id in listed:
                    continue
                listed.add(b.id or "")
                keys = _shown(binding_keys(b, self._keymap))
                mark: tuple[str, str] | str = (
                    ("⚠ ", "$warning") if b.id in conflicted else "\u00a0\u00a0"
                )  # (plain spaces at the start of an option are dropped)
                changed = "bold" if b.id in self._keymap else ""
                options.append(
                    Option(
                        Content.assemble(
                            mark,
                            (f"{keys:<20}", changed),
                            (f"{b.description:<26}", ""),
                            (b.id or "", "$text-muted"),
                        ),
                        id=b.id,
                    )
                )
        return options

    def show(self, keymap: Mapping[str, Any]) -> None:
        """Show `keymap` (string values only; the loader judges the rest) and its conflicts."""
        self._keymap = {k: v for k, v in keymap.items() if isinstance(v, str)}
        conflicts = keymap_conflicts(self._sections, self._keymap)
        conflicted = {c.first.id or "" for c in conflicts} | {c.second.id or "" for c in conflicts}
        conflicted |= set(bad_key_names(self._keymap))  # (marked as it is typed, not after a save)
        options = self.query_one("#keymap-list", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(self._options(conflicted))
        if highlighted is not None:
            options.highlighted = highlighted
        lines = [Content.assemble(("⚠ ", "$warning"), line) for line in self.conflict_lines()]
        report = self.query_one("#keymap-conflicts", Static)
        report.update(Content("\n").join(lines))
        report.display = bool(lines)

    def conflict_lines(self) -> list[str]:
        """What the panel warns of: keys that are no key (`notakey`, `ctrl+`), then conflicts."""
        bad = bad_key_lines(self._keymap)
        return bad + [c.message() for c in keymap_conflicts(self._sections, self._keymap)]

    @on(OptionList.OptionHighlighted, "#keymap-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        binding = self._binding.get(event.option.id or "")
        if binding is None:
            return
        field = self.query_one("#keymap-keys", Input)
        self.query_one("#keymap-label", Label).update(Content(f"Keys for {binding.id}"))
        with self.prevent(Input.Changed):
            field.placeholder = f"{binding.key} (default)"
            field.value = self._keymap.get(binding.id or "", "")
            field.cursor_position = len(field.value)

    @on(OptionList.OptionSelected, "#keymap-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#keymap-keys", Input).focus()

    @on(Input.Changed, "#keymap-keys")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        options = self.query_one("#keymap-list", OptionList)
        index = options.highlighted
        if index is None:
            return
        binding_id = options.get_option_at_index(index).id
        if binding_id is not None and binding_id in self._binding:
            value = event.value.strip() or None
            self.post_message(SettingsGrid.Edited(("keymap", binding_id), value))
