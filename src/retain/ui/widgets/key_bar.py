"""A one-line footer: the key bindings that apply right now, drawn as one widget.

Textual's `Footer` rebuilds one widget per key whenever the bindings change,
and the study screen changes them twice per card (before and after the
reveal); that rebuild was most of the key-to-paint time. `KeyBar` shows the
same thing (bindings with `show=True` that `check_action` allows, one key per
action, the command palette on the right) by updating a single `Content`. On a
narrow terminal it drops whole keys from the right (Help last) rather than
cutting a word.
Keys are clickable, as in Textual's footer. The bar is built again only when
the keys it shows (or its width) changed: the study screen's phase changes
twice per card, but its reveal and rate keys come back the same, and the bars
already built are kept by what they show, with their drawn line (`_Drawn`):
going back to a bar shown before draws nothing again.

A modal screen is drawn over the screen below, whose bar stayed in sight with keys that do
something else in the dialog (`a` Study all due under custom study, where `a` is Study ahead).
So every dialog is a `Dialog`: a modal screen with a bar of its own, over the one below, that
shows the dialog's keys; and a bar under a modal screen without one (Textual's command palette)
shows no keys until its screen is on top again.

Over a modal screen Textual runs only the app's priority bindings (ctrl+c, ctrl+p), so the keys the
help lists under "Everywhere" did nothing in a dialog. A dialog has the app's Help (`APP_HELP`, the
same binding: `[keymap]` moves both) after its own keys; in a text field `?` is typed and the bar
offers F1. `q` stays off in dialogs: a question is answered or cancelled first (the help says so).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from textual.app import ScreenStackError
from textual.await_complete import AwaitComplete
from textual.binding import ActiveBinding, Binding, BindingType
from textual.content import Content
from textual.css.styles import RulesMap
from textual.screen import ModalScreen, Screen, ScreenResultType
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Static

from retain.ui.keymap_check import key_problem

__all__ = ["APP_HELP", "Dialog", "KeyBar"]

# The app's Help, bound on the app (every screen) and on every dialog: one binding, one id.
APP_HELP = Binding("question_mark,f1", "app.help", "Help", id="app.help")
_HELP_ACTIONS = frozenset(("help", APP_HELP.action))  # (Help is the last key a narrow bar drops)


class _Drawn(Visual):
    """A built bar and the lines it was drawn as (per width and style), drawn again only when those change."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self._lines: dict[tuple[int, int | None, Style], list[Strip]] = {}

    def __str__(self) -> str:
        return str(self.content)

    def forget(self) -> None:
        """The theme or the bar's styles changed: draw afresh."""
        self._lines.clear()

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        if options.selection is not None:
            return self.content.render_strips(width, height, style, options)
        key = (width, height, style)
        lines = self._lines.get(key)
        if lines is None:
            if len(self._lines) >= 4:
                self._lines.clear()
            lines = self._lines[key] = self.content.render_strips(width, height, style, options)
        return lines

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.content.get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return self.content.get_minimal_width(rules)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.content.get_height(rules, width)


def _declared_order(active: Mapping[str, ActiveBinding]) -> list[tuple[str, ActiveBinding]]:
    """The active bindings in the order their screen (or widget, or the app) declares them.

    Textual's keymap takes a remapped binding out and adds it back last, so with the README's
    `"review.reveal" = "space,enter,r"` Show answer went to the end of the bar, and a narrow
    terminal dropped it first. Each node's bindings keep their own place among the nodes."""
    items = list(active.items())
    nodes: dict[int, int] = {}  # a node's place: where its first shown binding is (an app's hidden
    for position, (_, bound) in enumerate(items):  # priority keys come first, its Help after the screen's)
        if bound.binding.show:
            nodes.setdefault(id(bound.node), position)
    ranks: dict[int, dict[str, int]] = {}

    def rank(item: tuple[int, tuple[str, ActiveBinding]]) -> tuple[int, int, int]:
        position, (_, bound) = item
        node = bound.node
        order = nodes.get(id(node), position)
        if isinstance(node, Dialog) and bound.binding.id in _FROM_THE_APP:
            return (order, 1 << 16, position)  # the app's keys a dialog has: after the dialog's own
        declared = ranks.get(id(node))
        if declared is None:
            merged = type(node)._merged_bindings
            declared = ranks[id(node)] = {}
            for bindings in merged.key_to_bindings.values() if merged is not None else ():
                for b in bindings:
                    declared.setdefault(b.id or b.action, len(declared))
        return (order, declared.get(bound.binding.id or bound.binding.action, len(declared)), position)

    return [item for _, item in sorted(enumerate(items), key=rank)]


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        background: $footer-background;
        color: $footer-description-foreground;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        link-style: none;
        link-background-hover: $block-hover-background;
        link-style-hover: none;
    }
    """

    _shown: tuple[object, ...] | None = None  # what the bar was last built from

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # The bars already built, by what they show: the study screen alternates between two
        # (question, answer), so after the first card neither is built again.
        self._built: dict[tuple[object, ...], _Drawn] = {}

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.app.screen_change_signal.subscribe(self, self._screen_changed)
        self._bindings_changed(self.screen)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            self._refresh_keys()

    def _screen_changed(self, _screen: Screen[object]) -> None:
        self._refresh_keys()

    def _covered(self) -> bool:
        """A modal screen with no bar of its own is on top of this bar's (Textual's command
        palette): its keys are not this screen's, so none are shown."""
        try:
            top = self.app.screen
        except ScreenStackError:  # (the app is closing)
            return False
        return top is not self.screen and isinstance(top, ModalScreen) and not isinstance(top, Dialog)

    def _refresh_keys(self) -> None:
        shown = self._signature()
        if shown != self._shown:
            self._shown = shown
            built = self._built.get(shown)
            if built is None:
                if len(self._built) >= 8:
                    self._built.clear()
                built = self._built[shown] = _Drawn(self.keys_content())
            self.update(built, layout=False)  # one line, docked: its size never follows its keys

    def _signature(self) -> tuple[object, ...]:
        """The keys the bar would show, cheaply (a key's display follows from the key)."""
        if self._covered():
            return (self.size.width, None)
        return (
            self.size.width,
            self.app.ENABLE_COMMAND_PALETTE,
            tuple(
                (key, b.binding.key, b.binding.action, b.binding.show, b.binding.description, b.enabled)
                for key, b in self.screen.active_bindings.items()
            ),
        )

    def _key(self, key: str, display: str, description: str, enabled: bool) -> Content:
        click = Style.from_meta({"@click": f"app.simulate_key({key!r})"})
        if not enabled:
            return Content.styled(f" {display} {description} ", "$text-disabled").stylize(click)
        return Content.assemble(
            (f" {display}", "bold $footer-key-foreground"),
            f" {description} ",
        ).stylize(click)

    def keys_content(self) -> Content:
        app = self.app
        if self._covered():
            return Content("")
        seen: set[str] = set()
        parts: list[tuple[str, Content]] = []
        palette: Content | None = None
        for key, active in _declared_order(self.screen.active_bindings):
            binding = active.binding
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = self._key(binding.key, app.get_key_display(binding), binding.description, True)
                continue
            if not binding.show or binding.action in seen or key_problem(key):
                continue  # (a `[keymap]` key no terminal sends: `esc`, `shift+b`; the start says so)
            seen.add(binding.action)
            parts.append(
                (
                    binding.action,
                    self._key(binding.key, app.get_key_display(binding), binding.description, active.enabled),
                )
            )
        left = Content("").join(self._fitting(parts, self.size.width))
        gap = self.size.width - left.cell_length - (palette.cell_length if palette else 0)
        if palette is None or gap < 1:
            return left  # no room for the palette key: ctrl+p still works (see the help screen)
        return Content.assemble(left, " " * gap, palette)

    @staticmethod
    def _fitting(parts: list[tuple[str, Content]], width: int) -> list[Content]:
        """Whole keys only: drop keys from the right (Help last) until the rest fits, never cut a word."""
        if width <= 0:
            return [c for _, c in parts]
        kept = list(parts)
        while kept and sum(c.cell_length for _, c in kept) > width:
            droppable = [i for i, (action, _) in enumerate(kept) if action not in _HELP_ACTIONS]
            del kept[droppable[-1] if droppable else -1]
        return [c for _, c in kept]

    def notify_style_update(self) -> None:
        for drawn in self._built.values():
            drawn.forget()
        super().notify_style_update()

    def on_resize(self) -> None:
        self._refresh_keys()


class Dialog(ModalScreen[ScreenResultType]):
    """A modal screen with its own `KeyBar`: drawn over the bar of the screen below, it shows the
    dialog's keys (Esc Cancel, y Yes), never the keys of the screen under the dialog.

    Every modal screen of the app derives from it. The bar is mounted after the dialog's own
    `compose` (Textual calls `on_mount` of each class, so a dialog's own `on_mount` does not
    replace this one); it docks at the bottom, and the dialog's box is centred above it.

    F1 and `?` open the help over the dialog (a dialog that binds them itself, the help, keeps its
    own meaning); a text field with the focus takes `?` as it takes any printable key."""

    BINDINGS: ClassVar[list[BindingType]] = [APP_HELP]

    def on_mount(self) -> None:
        if not self.query(KeyBar):
            self.mount(KeyBar())

    def dismiss(self, result: ScreenResultType | None = None) -> AwaitComplete:
        """Close the dialog with `result`, and what is open over it (the help, the command palette).

        A dialog closes itself when its work is done (an import written, a plan made), whatever is
        on top: Textual's `dismiss` handed the result on and then closed the top screen, so the help
        went, and the finished dialog stayed up, answering Esc with its result a second time."""
        if self.is_attached and self in self.app.screen_stack:
            while self.app.screen is not self:
                self.app.pop_screen()
        return super().dismiss(result)


_FROM_THE_APP = frozenset(b.id for b in Dialog.BINDINGS if isinstance(b, Binding) and b.id)
