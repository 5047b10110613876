"""Settings (`,` on the deck list, or Settings in the palette): config.toml edited in the app.

Four tabs: General (rollover hour, learn-ahead, theme, deck folders), Presets
(`[study]`, the defaults of every deck, and each `[presets.NAME]`, with the
workload chart, and ctrl+r to reschedule the preset's cards with its weights), Decks (a
deck's preset and its own overrides; each group's `[groups."NAME"]` limits) and Keys (`[keymap]`, conflicts marked).
Each edit goes into a `ConfigDocument` (tomlkit: the file's comments and
layout stay) and the whole text is run through the config loader at once, so
a bad value shows the loader's own message and its field turns red. ctrl+s
saves (refused while the text does not load; when config.toml changed on disk
meanwhile, it asks) and applies the result to the running app at once.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.console import RenderableType
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.style import Style
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Input, Label, Select, Static

from retain.store.config import Config
from retain.store.config_edit import ConfigDocument, ConfigEditError, problem
from retain.ui.access import retain_app
from retain.ui.key_names import key_label
from retain.ui.screens.settings_save import SettingsSaving
from retain.ui.settings_fields import GLOBAL_FIELDS, PRESET_FIELDS, parameters_text
from retain.ui.text import line, rich_plain
from retain.ui.widgets.group_limits import GroupLimits
from retain.ui.widgets.key_bar import KeyBar
from retain.ui.widgets.ordered_keys import OrderedInput
from retain.ui.widgets.settings_grid import SettingsGrid
from retain.ui.widgets.workload_panel import WorkloadPanel

__all__ = ["SettingsScreen", "open_settings"]

_PRESET_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}\Z")
_TABS = (("tab-general", "General"), ("tab-presets", "Presets"), ("tab-decks", "Decks"), ("tab-keys", "Keys"))
_BUILDERS = {"tab-presets": "_preset_widgets", "tab-decks": "_deck_widgets", "tab-keys": "_key_widgets"}
STUDY = ""  # the preset list's value for `[study]`
_STUDY_LABEL = "Defaults for every deck (study)"
# The tab bar's word on the tab keys, longest first: the first that fits is shown (at 60 columns
# the first was cut to "ctrl+n next tab,"); {n} and {b} are the keys (`[keymap]` may move them).
_TAB_KEYS = ("   {n} next tab, {b} back", "  {n}, {b}: tabs")


class SettingsScreen(SettingsSaving, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="settings.save"),
        Binding("escape", "close", "Close", id="settings.close"),
        Binding("ctrl+n,ctrl+pagedown", "next_tab", "Next tab", id="settings.next_tab"),
        Binding("ctrl+b,ctrl+pageup", "previous_tab", "Previous tab", id="settings.previous_tab", show=False),
        Binding("q", "close", "Close", id="settings.quit", show=False),  # not the app's Quit: edits are here
        Binding("ctrl+r", "reschedule", "Reschedule cards", id="settings.reschedule"),
    ]
    DEFAULT_CSS = """
    SettingsScreen #settings-top { height: 1; padding: 0 1; background: $boost; text-wrap: nowrap;
        text-overflow: ellipsis; }
    SettingsScreen #settings-tabbar { height: 1; padding: 0 1; margin-bottom: 1; link-style: none;
        link-style-hover: underline; link-background-hover: $block-hover-background; }
    SettingsScreen #settings-panes { height: 1fr; }
    SettingsScreen #settings-panes > * { padding: 0 1; }
    SettingsScreen .pick { height: 1; margin-bottom: 1; }
    SettingsScreen .pick > Label { width: 27; color: $text-muted; }
    SettingsScreen .pick > Select { width: 36; }
    SettingsScreen .pick > Input { width: 36; background: $boost; }
    SettingsScreen .pick > Input:focus { background: $surface-lighten-1; }
    SettingsScreen #preset-parameters { color: $text-muted; margin-bottom: 1; }
    SettingsScreen #settings-hint { height: auto; padding: 0 1; color: $text-muted; display: none; }
    SettingsScreen #settings-problem { height: auto; padding: 0 1; }
    SettingsScreen #settings-problem.-error { color: $error; background: $error 10%; }
    """

    def __init__(
        self,
        edit: ConfigDocument,
        *,
        decks: list[tuple[str, str]],
        themes: list[str],
        groups: Sequence[tuple[str, int]] = (),
    ) -> None:
        super().__init__()
        self.edit = edit
        self._decks = decks  # (id, name) of the library's decks
        self._groups = list(groups)  # (name as the deck list shows it, its decks) of the library's groups
        self._themes = themes
        self._new_presets: list[str] = []  # named in this session, before they hold a setting
        self._made_presets: set[str] = set()  # empty preset tables written because a deck chose them
        self._refused: dict[tuple[str, ...], str] = {}  # edits the document refused (see _save)
        self._problem = ""
        self._built: set[str] = {"tab-general"}

    # ---- layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(
            Content.assemble(
                ("Settings", "bold $accent"), "  ", line(_home_relative(self.edit.path), "$text-muted")
            ),
            id="settings-top",
        )
        # A one-line tab bar and a switcher, not TabbedContent: a third of the widgets, to open fast.
        yield Static(id="settings-tabbar")
        # The screen opens with the General tab only; the others are added when first shown (`build_tab`).
        with (
            ContentSwitcher(initial="tab-general", id="settings-panes"),
            VerticalScroll(id="tab-general", can_focus=False),
        ):
            yield SettingsGrid(GLOBAL_FIELDS, (), choices=self._themes, id="general-grid")
        yield Static(id="settings-hint")  # the focused field's hint, when its column cuts it
        yield Static(id="settings-problem")
        yield KeyBar()

    def _preset_widgets(self) -> ComposeResult:
        with Horizontal(classes="pick"):
            yield Label("Preset")
            yield Select[str]([(_STUDY_LABEL, STUDY)], allow_blank=False, id="preset-pick", compact=True)
        with Horizontal(classes="pick"):
            yield Label("New preset")
            yield OrderedInput(placeholder="a name, then Enter", id="preset-new", compact=True)
        yield Static(id="preset-parameters")
        yield SettingsGrid(PRESET_FIELDS, ("study",), id="preset-grid")
        yield WorkloadPanel(id="workload")

    def _deck_widgets(self) -> ComposeResult:
        decks = self._deck_options()
        with Horizontal(classes="pick"):
            yield Label("Deck")
            yield Select[str](decks, allow_blank=not decks, prompt="no decks", id="deck-pick", compact=True)
        with Horizontal(classes="pick"):
            yield Label("Preset")
            yield Select[str]([], prompt="default", id="deck-preset", compact=True)
        yield SettingsGrid(PRESET_FIELDS, ("decks", ""), id="deck-grid")
        yield GroupLimits(self._groups, id="group-limits")

    def _key_widgets(self) -> ComposeResult:
        from retain.ui.app import binding_sections  # imports every screen, for their bindings
        from retain.ui.widgets.keymap_panel import KeymapPanel

        keymap = self.edit.get(("keymap",))
        yield KeymapPanel(binding_sections(), keymap if isinstance(keymap, dict) else {}, id="keymap")

    async def build_tab(self, pane_id: str) -> None:
        """Mount a tab's widgets (once) and fill them from the document."""
        if pane_id in self._built or pane_id not in _BUILDERS:
            return
        self._built.add(pane_id)
        pane = Vertical(id=pane_id) if pane_id == "tab-keys" else VerticalScroll(id=pane_id, can_focus=False)
        await self.query_one(ContentSwitcher).mount(pane)
        await pane.mount_compose(getattr(self, _BUILDERS[pane_id])())
        for widget in pane.query(Input):
            widget.cursor_blink = False
        self.refresh_all()

    def _deck_options(self) -> list[tuple[RenderableType, str]]:
        """(label, deck id): the library's decks, then decks only config.toml names. Labels are
        Rich Text: deck names are untrusted and Select reads a str label as markup."""
        options: list[tuple[RenderableType, str]] = [
            (rich_plain(f"{name} ({deck_id})" if name != deck_id else deck_id), deck_id)
            for deck_id, name in self._decks
        ]
        known = {deck_id for deck_id, _ in self._decks}
        in_file = self.edit.get(("decks",))
        if isinstance(in_file, dict):
            options += [(rich_plain(f"{d} (not in the library)"), d) for d in in_file if d not in known]
        return options

    def on_mount(self) -> None:
        for widget in self.query(Input):
            widget.cursor_blink = False
        self._draw_tabbar()
        self.refresh_all()
        self.query_one("#general-grid #field-rollover_hour", Input).focus()

    # ---- showing the document ---------------------------------------------------------

    def _presets(self) -> list[str]:
        in_file = self.edit.get(("presets",))
        names = [n for n in in_file if isinstance(n, str)] if isinstance(in_file, dict) else []
        return [*names, *(n for n in self._new_presets if n not in names)]

    def refresh_all(self) -> None:
        """Show the document in every tab (after opening, a merge or a reload)."""
        data = self.edit.data()
        self.query_one("#general-grid", SettingsGrid).show((), data)
        if "tab-presets" in self._built:
            self._refresh_presets()
        if "tab-decks" in self._built:
            self._show_deck()
            self.query_one(GroupLimits).show(data)
        if "tab-keys" in self._built:
            self._show_keymap()
        self._validate()

    def _show_keymap(self) -> None:
        from retain.ui.widgets.keymap_panel import KeymapPanel

        keymap = self.edit.get(("keymap",))
        self.query_one(KeymapPanel).show(keymap if isinstance(keymap, dict) else {})

    def _refresh_presets(self) -> None:
        presets = self._presets()
        pick = self.query_one("#preset-pick", Select)
        current = pick.value if isinstance(pick.value, str) else STUDY
        with self.prevent(Select.Changed):
            choices: list[tuple[RenderableType, str]] = [
                (_STUDY_LABEL, STUDY),
                *((rich_plain(f"preset {n}"), n) for n in presets),
            ]
            if "default" not in presets:
                choices.insert(1, ("preset default", "default"))
            pick.set_options(choices)
            pick.value = current if current in [v for _, v in choices] else STUDY
        self._show_preset()

    def _preset_table(self) -> tuple[str, ...]:
        value = self.query_one("#preset-pick", Select).value
        return ("presets", value) if isinstance(value, str) and value != STUDY else ("study",)

    def _show_preset(self) -> None:
        table = self._preset_table()
        data = self.edit.data()
        self.query_one("#preset-grid", SettingsGrid).show(table, data)
        self.query_one("#preset-parameters", Static).update(
            Content(f"FSRS parameters: {parameters_text(data, table)}")
        )
        self.query_one(WorkloadPanel).for_preset(table)

    def _deck_id(self) -> str | None:
        value = self.query_one("#deck-pick", Select).value
        return value if isinstance(value, str) else None

    def _show_deck(self) -> None:
        deck_id = self._deck_id()
        data = self.edit.data()
        preset_pick = self.query_one("#deck-preset", Select)
        preset = self.edit.get(("decks", deck_id, "preset")) if deck_id is not None else None
        names = self._presets()
        options: list[tuple[RenderableType, str]] = [(rich_plain(n), n) for n in names if n != "default"]
        if isinstance(preset, str) and preset not in names:
            options.append((rich_plain(f"{preset} (missing)"), preset))
        with self.prevent(Select.Changed):
            preset_pick.set_options(options)
            preset_pick.value = preset if isinstance(preset, str) and preset != "default" else Select.NULL
        preset_pick.disabled = deck_id is None
        # No deck to pick (an empty library): no field either, or an edit would write `[decks.""]`.
        self.query_one("#deck-grid", SettingsGrid).disabled = deck_id is None
        if deck_id is not None:
            self.query_one("#deck-grid", SettingsGrid).show(("decks", deck_id), data)

    # ---- editing -------------------------------------------------------------------------

    @on(SettingsGrid.Edited)
    @on(GroupLimits.Edited)
    def _edited(self, event: SettingsGrid.Edited | GroupLimits.Edited) -> None:
        event.stop()
        self.set_value(event.keys, event.value)

    def set_value(self, keys: tuple[str, ...], value: Any) -> None:
        """Put one value in the document and check the whole text with the config loader."""
        try:
            self.edit.set(keys, value)
        except ConfigEditError as exc:
            self._refused[keys] = str(exc)  # the field shows a value the file will not get
            self._show_problem(str(exc))
            return
        self._refused.pop(keys, None)
        if keys[0] == "keymap" and "tab-keys" in self._built:
            self._show_keymap()
        self._validate()

    def _validate(self) -> str:
        self._show_problem(problem(self.edit))
        return self._problem

    def _show_problem(self, message: str) -> None:
        self._problem = message
        for grid in self.query(SettingsGrid):
            grid.mark(message)
        for groups in self.query(GroupLimits):
            groups.mark(message)
        status = self.query_one("#settings-problem", Static)
        status.set_class(bool(message), "-error")
        if message:
            status.update(line(f"✗ {message}"))
        elif self.edit.dirty:
            save, close = (
                key_label(self.app, "settings.save", "ctrl+s"),
                key_label(self.app, "settings.close", "esc"),
            )
            status.update(Content.styled(f"Unsaved changes: {save} saves them, {close} asks.", "$text-muted"))
        else:
            status.update(
                Content.styled(
                    f"{key_label(self.app, 'settings.save', 'ctrl+s')} saves to config.toml; "
                    "saved settings apply at once.",
                    "$text-muted",
                )
            )

    @on(Select.Changed, "#preset-pick")
    def _preset_picked(self, event: Select.Changed) -> None:
        event.stop()
        self._show_preset()

    @on(Input.Submitted, "#preset-new")
    def _new_preset(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        if not _PRESET_NAME_RE.match(name):
            self._show_problem("A preset name uses letters, digits, - and _ (up to 64).")
            return
        if name not in self._presets():
            self._new_presets.append(name)
        event.input.value = ""
        self.refresh_all()
        self.query_one("#preset-pick", Select).value = name

    @on(Select.Changed, "#deck-pick")
    def _deck_picked(self, event: Select.Changed) -> None:
        event.stop()
        self._show_deck()

    @on(Select.Changed, "#deck-preset")
    def _deck_preset(self, event: Select.Changed) -> None:
        event.stop()
        deck_id = self._deck_id()
        if deck_id is None:
            return
        value = None if event.value is Select.NULL else event.value
        before = self.edit.get(("decks", deck_id, "preset"))
        if isinstance(value, str) and value != "default" and not self._in_file(value):
            # A preset named in this session holds no setting yet, so the file has no table for
            # it: the deck would name a preset that "is not defined" at every start. Write it.
            self._made_presets.add(value)
            self.set_value(("presets", value), {})
        self.set_value(("decks", deck_id, "preset"), value)
        if isinstance(before, str) and before != value:
            self._drop_if_unused(before)
        self.query_one("#deck-grid", SettingsGrid).show(("decks", deck_id), self.edit.data())  # new hints

    def _in_file(self, preset: str) -> bool:
        presets = self.edit.get(("presets",))
        return isinstance(presets, dict) and preset in presets

    def _drop_if_unused(self, preset: str) -> None:
        """Take back a preset table written only for a deck (`_deck_preset`) once no deck names it
        and it is still empty (else the file would say at start that no deck uses it)."""
        if preset not in self._made_presets or self.edit.get(("presets", preset)) != {}:
            return
        decks = self.edit.get(("decks",))
        tables = decks.values() if isinstance(decks, dict) else ()
        if not any(isinstance(t, dict) and t.get("preset") == preset for t in tables):
            self._made_presets.discard(preset)
            self.set_value(("presets", preset), None)

    def _saved(self, config: Config) -> None:
        super()._saved(config)
        if "tab-presets" in self._built:
            self._show_preset()  # the workload chart follows the saved settings

    def action_reschedule(self) -> None:
        """Reschedule the shown preset's cards with its saved weights (asks first; Presets tab only)."""
        from retain.ui.reschedule_offer import offer_reschedule
        from retain.ui.widgets.workload_panel import preset_name

        if self.query_one(ContentSwitcher).current != "tab-presets":
            key = key_label(self.app, "settings.reschedule", "ctrl+r")
            self.notify(f"Pick a preset on the Presets tab, then {key} reschedules its cards.", markup=False)
            return
        offer_reschedule(retain_app(self), preset_name(self._preset_table()))

    # ---- tabs ------------------------------------------------------------------------------

    def _draw_tabbar(self) -> None:
        current = self.query_one(ContentSwitcher).current
        parts: list[Content] = []
        for pane_id, title in _TABS:
            style = "bold reverse $accent" if pane_id == current else "$text-muted"
            click = Style.from_meta({"@click": f"screen.show_tab({pane_id!r})"})
            parts.append(Content.styled(f" {title} ", style).stylize(click))
        tabs = Content(" ").join(parts)
        room = self.app.size.width - 2  # (the bar's padding)
        n = key_label(self.app, "settings.next_tab", "ctrl+n")
        b = key_label(self.app, "settings.previous_tab", "ctrl+b")
        said = [k.format(n=n, b=b) for k in _TAB_KEYS]
        keys = next((k for k in said if tabs.cell_length + 1 + len(k) <= room), "")
        if keys:
            tabs = Content(" ").join([tabs, Content.styled(keys, "$text-muted")])
        self.query_one("#settings-tabbar", Static).update(tabs)

    # ---- the focused field's hint ---------------------------------------------------------

    def watch_focused(self) -> None:
        self.call_after_refresh(self._show_hint)  # (after the layout: the hints column's width)

    def on_resize(self) -> None:
        self._draw_tabbar()
        self.call_after_refresh(self._show_hint)

    def _show_hint(self) -> None:
        """Under the form, the focused field's whole hint when the screen does not show it whole
        already: a narrow terminal cut it in its column (`0-23, l…`, `comma-s…` at 60 columns), and a
        group's limit fields had theirs in a tooltip only: a keyboard user never saw them."""
        boxes = self.query("#settings-hint").results(Static)
        box = next(boxes, None) if self.is_attached else None
        if box is None:  # (run after a refresh: the screen may be being taken down, its widgets gone)
            return
        said = _hint_of(self.focused)
        if said:
            box.update(line(said))
        box.display = bool(said)

    async def action_show_tab(self, pane_id: str) -> None:
        """Show a tab (built the first time) and put the focus in it."""
        if pane_id not in dict(_TABS):
            return
        if pane_id not in self._built:
            await self.build_tab(pane_id)
        elif pane_id == "tab-presets":
            self._show_preset()  # inherited hints follow edits made elsewhere
        elif pane_id == "tab-decks":
            self._show_deck()
            self.query_one(GroupLimits).show(self.edit.data())
        self.query_one(ContentSwitcher).current = pane_id
        self._draw_tabbar()
        pane = self.query_one(f"#{pane_id}")
        focused = self.focused
        if focused is None or pane not in focused.ancestors:  # never type into a hidden tab
            target = next((w for w in pane.query("Input, Select, OptionList") if w.focusable), None)
            if target is not None:
                target.focus()

    async def action_next_tab(self, step: int = 1) -> None:
        ids = [pane_id for pane_id, _ in _TABS]
        current = self.query_one(ContentSwitcher).current or ids[0]
        await self.action_show_tab(ids[(ids.index(current) + step) % len(ids)])

    async def action_previous_tab(self) -> None:
        await self.action_next_tab(-1)


def _hint_of(widget: Widget | None) -> str:
    """The hint to show for the focused `widget` (see `SettingsScreen._show_hint`); "" for none."""
    if widget is None:
        return ""
    grid = next((a for a in widget.ancestors if isinstance(a, SettingsGrid)), None)
    if grid is not None:
        key = (widget.id or "").removeprefix("field-")
        field = next((f for f in grid.fields if f.key == key), None)
        if field is None or not field.hint:
            return ""
        column = grid.query(".hints").first(Static)
        if column.display and cell_len(field.hint) <= column.content_size.width:
            return ""  # whole in its column
        return f"{field.label}: {field.hint}"
    if any(isinstance(a, GroupLimits) for a in widget.ancestors):
        tip = widget.tooltip  # "New/day for group X: 0-9999; empty: no limit", shown nowhere else
        said = tip.plain if isinstance(tip, Content) else tip if isinstance(tip, str) else ""
        row = widget.parent
        beside = row.query(".hint").first(Static) if row is not None and row.query(".hint") else None
        about = beside.content if beside is not None else ""  # "3 decks; file: [groups.x]"
        about = about.plain if isinstance(about, Content) else about if isinstance(about, str) else ""
        if said and beside is not None and about and cell_len(about) > beside.content_size.width:
            said = f"{said} ({about})"  # cut in its column too
        return said
    return ""


def _home_relative(path: Path) -> str:
    """`~/.config/retain/config.toml` rather than the whole home folder."""
    try:
        return f"~/{path.relative_to(Path.home())}"
    except (ValueError, RuntimeError):
        return str(path)


def open_settings(host: Any) -> None:
    """Open the settings over the app (a `RetainApp` with its collection open)."""
    app = retain_app(host)
    if isinstance(app.screen, SettingsScreen):
        return
    try:
        edit = ConfigDocument.open(app.collection.home.paths.config_file)
    except ConfigEditError as exc:
        app.notify(str(exc), title="Cannot open the settings", severity="error", markup=False)
        return
    _catch_up(app, edit)
    from retain.core.model import group_key, group_names

    library = app.collection.library.decks
    decks = [(d.id, d.name or d.id) for d in library]
    sizes = Counter(group_key(d.group) for d in library if d.group)
    groups = [(name, sizes[group_key(name)]) for name in group_names(library)]
    app.push_screen(SettingsScreen(edit, decks=decks, themes=sorted(app.available_themes), groups=groups))


def _catch_up(app: Any, edit: ConfigDocument) -> None:
    """The file changed since the app read it (`retain optimize` wrote weights, a hand edit):
    the screen shows the file, so the running app takes it too; else the chart, ctrl+r and the
    reviews used the weights read at launch while the screen showed the new ones."""
    from retain.store.config import ConfigError
    from retain.ui.settings_apply import apply_config

    try:
        config = edit.validate()
    except (ConfigError, ConfigEditError):
        return  # a file that does not load: the screen says what is wrong
    if config != app.config:
        apply_config(app, config)
