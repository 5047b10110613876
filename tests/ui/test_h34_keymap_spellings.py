"""`[keymap]` keys are checked against what a terminal makes Textual report (h34).

`"review.end" = "esc"` (how the key bar shows Escape), `"home.browse" = "shift+b"`, `"Space"`,
`"ESCAPE"`, `"return"` were taken without a word: Textual binds the string as written, never
receives it (Escape arrives as `escape`, Shift+B as `B`), and the action was left with no key.
Each such spelling is now reported at start and on the Keys tab, naming the key to write. And an
empty value, which Textual takes as no remapping (the shipped key works), is no longer reported
as a dead key, nor shown keyless; `"g,"` is `g`.

The ground truth is Textual's own input parser: the key names it makes of what terminals send
(legacy xterm sequences, the kitty keyboard protocol Textual asks for), and its own keymap code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from textual import events
from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
from textual._keyboard_protocol import FUNCTIONAL_KEYS, MODIFIER_FUNCTIONAL_KEYS
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.keys import _normalize_key_list
from textual.pilot import Pilot
from textual.widgets import OptionList

from retain.ui import keymap_check
from retain.ui.app import binding_sections
from retain.ui.keymap_check import bad_key_names, binding_keys
from retain.ui.screens.browser import BrowserScreen
from retain.ui.screens.study import StudyScreen
from retain.ui.settings_apply import keymap_warnings

from .conftest import OpenApp, until
from .screen import screen_text

# US layout: what shift makes of a key (kitty reports the shifted text with the unshifted key).
_SHIFTED = dict(zip("`1234567890-=[]\\;',./", '~!@#$%^&*()_+{}|:"<>?', strict=True))
_EXTRA_CHARACTERS = "éü€ñ"


def _keys(data: str) -> list[str]:
    parser = XTermParser()
    found = [e.key for e in parser.feed(data) if isinstance(e, events.Key)]
    return found + [e.key for e in parser.feed("") if isinstance(e, events.Key)]  # (end: a lone ESC)


@cache
def delivered() -> frozenset[str]:
    """Every key name Textual's parser makes of what a terminal sends: the legacy sequences,
    characters alone and with Alt (ESC first), and kitty-protocol reports with every modifier
    combination (with the shifted text for shift alone, as kitty sends it)."""
    out: set[str] = set()
    for sequence in ANSI_SEQUENCES_KEYS:
        out.update(_keys(sequence))
    characters = [chr(c) for c in range(32, 127)] + list(_EXTRA_CHARACTERS)
    for ch in [*characters, *(chr(c) for c in range(32)), "\x7f"]:
        out.update(_keys(ch))
        out.update(_keys("\x1b" + ch))
    for mods in range(1, 65):  # 1: none; bits: shift, alt, ctrl, super, hyper, meta
        for ch in characters:
            if ch.isupper() or (mods == 2 and ch in _SHIFTED.values()):
                continue  # (kitty reports the key, not the shifted character; `!` is a key elsewhere)
            if mods in (1, 2):
                text = ch.upper() if mods == 2 and ch.isalpha() else _SHIFTED.get(ch, ch) if mods == 2 else ch
                out.update(_keys(f"\x1b[{ord(ch)};{mods};{ord(text)}u"))
            else:
                out.update(_keys(f"\x1b[{ord(ch)};{mods}u"))
        for code, name in FUNCTIONAL_KEYS.items():
            number, end = code[:-1], code[-1]
            text = f";{ord(name)}" if len(name) == 1 and mods in (1, 2) else ""  # (keypad 1: its text)
            out.update(_keys(f"\x1b[{number};{mods}{text}{end}"))
    return frozenset(out)


def test_the_ground_truth_is_what_the_attack_saw() -> None:
    keys = delivered()
    assert {"escape", "B", "space", "enter", "ctrl+s", "alt+shift+b", "ctrl+shift+left"} <= keys
    assert not {"esc", "shift+b", "Space", "ESCAPE", "return", "Enter"} & keys


def test_every_key_a_terminal_sends_is_taken() -> None:
    """No false warning: each key Textual reports can be bound without one (a modifier key
    alone, such as left_shift, is no key to bind)."""
    modifier_keys = {k for k in delivered() if k.rpartition("+")[2] in MODIFIER_FUNCTIONAL_KEYS}
    # (xterm's F13-F20 and shifted arrows with a count reach the kitty decoder and come out as
    # control characters, `\x19`: no key anyone writes in a TOML file)
    controls = {k for k in delivered() if not k.isprintable()}
    refused = {
        k: keymap_check.key_problem(k)
        for k in delivered() - modifier_keys - controls
        if keymap_check.key_problem(k)
    }
    assert refused == {}


def test_every_shipped_key_is_one_a_terminal_sends() -> None:
    shipped = {
        k.strip()
        for _, items in binding_sections()
        for b in items
        if isinstance(b, Binding)
        for k in b.key.split(",")
    }
    assert {k: keymap_check.key_problem(k) for k in shipped if keymap_check.key_problem(k)} == {}
    assert {_normalize_key_list(k) for k in shipped} <= delivered()


# What people write: Textual names, the key bar's words, other names, in any case, with
# modifiers in any order, and nonsense.
_BASES = st.sampled_from(
    [
        *(chr(c) for c in range(33, 127)),
        *_EXTRA_CHARACTERS,
        *(
            [
                "escape",
                "esc",
                "Esc",
                "ESCAPE",
                "enter",
                "Enter",
                "return",
                "space",
                "Space",
                "SPACE",
                "tab",
                "backspace",
                "delete",
                "del",
                "pgdn",
                "pgup",
            ]
        ),
        *(
            [
                "pagedown",
                "PageDown",
                "page_down",
                "up",
                "down",
                "left",
                "right",
                "home",
                "end",
                "insert",
                "f1",
                "F1",
                "f13",
                "f35",
                "⏎",
                "↑",
                "⌫",
            ]
        ),
        *(
            [
                "question_mark",
                "comma",
                "full_stop",
                "slash",
                "minus",
                "plus",
                "underscore",
                "at",
                "euro_sign",
                "add",
                "caps_lock",
            ]
        ),
        *(["latin_small_letter_b", "notakey", "left_shift", "ctrl", "<any>", "newline"]),
    ]
)
_MODIFIER_WORDS = st.sampled_from(
    ["ctrl", "Ctrl", "CTRL", "control", "shift", "Shift", "alt", "meta", "super", "hyper"]
)


@st.composite
def spellings(draw: st.DrawFn) -> str:
    words = draw(st.lists(_MODIFIER_WORDS, max_size=3))
    caret = draw(st.booleans()) and not words
    base = draw(_BASES)
    return ("^" + base) if caret else "+".join([*words, base])


@settings(max_examples=600, deadline=None)
@given(spellings())
def test_a_key_taken_is_one_a_terminal_sends_and_a_suggestion_is_one_too(spelling: str) -> None:
    bound = _normalize_key_list(spelling)  # what Textual binds for it
    if not keymap_check.key_problem(spelling):
        assert bound in delivered(), spelling
    suggestion = keymap_check.textual_key(spelling)
    if keymap_check.key_problem(spelling) and suggestion is not None:
        assert suggestion in delivered() and not keymap_check.key_problem(suggestion), (spelling, suggestion)
        assert repr(suggestion) in keymap_check.key_problem(spelling)


@given(st.text(max_size=30))
def test_any_value_gets_one_line_never_a_traceback(spec: str) -> None:
    for said in keymap_check.bad_key_lines({"review.easy": spec}):
        assert "\n" not in said and said.startswith("review.easy = ")


def test_the_spellings_of_the_attack_are_reported_with_the_key_to_write() -> None:
    keymap = {
        "review.end": "esc",
        "home.browse": "shift+b",
        "review.reveal": "Space",
        "browser.close": "ESCAPE",
        "home.study": "return",
        "browser.edit": "e,Enter",
        "home.add_card": "shift+ctrl+left",
        "home.new_deck": "^n",
    }
    assert keymap_check.bad_key_lines(keymap) == [
        "review.end = 'esc' is not a key; did you mean 'escape'?",
        "home.browse = 'shift+b' is not a key; did you mean 'B'?",
        "review.reveal = 'Space' is not a key; did you mean 'space'?",
        "browser.close = 'ESCAPE' is not a key; did you mean 'escape'?",
        "home.study = 'return' is not a key; did you mean 'enter'?",
        "browser.edit = 'e,Enter': 'Enter' is not a key; did you mean 'enter'?",
        "home.add_card = 'shift+ctrl+left' is not a key; did you mean 'ctrl+shift+left'?",
        "home.new_deck = '^n' is not a key; did you mean 'ctrl+n'?",
    ]
    assert bad_key_names(keymap) == list(keymap)
    assert "shift with a character" in keymap_check.bad_key_lines({"home.browse": "shift+1"})[0]
    assert keymap_check.bad_key_lines({"home.browse": "notakey"}) == [
        "home.browse = 'notakey' is not a key (like ctrl+s, space, f1, j)"
    ]


def _binding(binding_id: str) -> Binding:
    return next(
        b for _, items in binding_sections() for b in items if isinstance(b, Binding) and b.id == binding_id
    )


def _textual_keys(binding: Binding, keymap: dict[str, str]) -> set[str]:
    """The keys Textual's own keymap code binds `binding` to, that a terminal can send."""
    bindings = BindingsMap([binding])
    bindings.apply_keymap(App._normalize_keymap(keymap))
    bound = {key for key, found in bindings.key_to_bindings.items() if any(b.id == binding.id for b in found)}
    return bound & delivered()


_PARTS = st.sampled_from(
    ["", " ", "g", "4", "esc", "escape", "Space", "space", "ctrl+s", "shift+b", "B", "?", ","]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PARTS, max_size=4).map(",".join))
def test_the_warning_the_keys_tab_and_textual_agree(spec: str) -> None:
    """Whatever the value (empty, spaces, a trailing comma, commas only, a dead spelling), the
    keys the help and the Keys tab show are those Textual answers to, and the binding is
    reported exactly when one of its keys is dead or it has none."""
    easy = _binding("review.easy")
    keymap = {"review.easy": spec}
    works = _textual_keys(easy, keymap)
    assert set(binding_keys(easy, keymap)) == works, spec
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    written = bool(_normalize_key_list(spec))  # (else Textual keeps the shipped keys)
    dead = written and (not parts or any(_normalize_key_list(p) not in delivered() for p in parts))
    assert (bad_key_names(keymap) == ["review.easy"]) == dead, spec
    if not dead:
        assert works, spec  # never a binding without a key and no word said


def test_an_empty_value_is_the_shipped_key() -> None:
    easy = _binding("review.easy")
    for spec in ("", "   "):
        assert bad_key_names({"review.easy": spec}) == []
        assert binding_keys(easy, {"review.easy": spec}) == ["4"]
    assert bad_key_names({"review.easy": "g,"}) == [] and binding_keys(easy, {"review.easy": "g,"}) == ["g"]
    assert bad_key_names({"review.easy": ","}) == ["review.easy"]
    assert binding_keys(easy, {"review.easy": ","}) == []
    assert keymap_warnings({"review.easy": ""}) == []


def _config(home: Path, keymap: str) -> None:
    config = home / "config.toml"
    config.write_text(f"[study]\nfuzz = false\n\n[keymap]\n{keymap}\n", "utf-8")


def _said(app: App[Any]) -> str:
    return "\n".join(n.message for n in app._notifications)


async def test_esc_and_shift_b_are_said_at_start(retain_home: Path, open_app: OpenApp) -> None:
    _config(retain_home, '"review.end" = "esc"\n"home.browse" = "shift+b"')
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: "review.end" in _said(app), pilot)
        said = _said(app)
        assert "review.end = 'esc'" in said and "home.browse = 'shift+b'" in said, said


async def test_the_keys_the_warning_names_work(retain_home: Path, open_app: OpenApp) -> None:
    _config(retain_home, '"review.end" = "escape"\n"home.browse" = "B"')
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "is not a key" not in _said(app)
        await pilot.press("B")  # Shift+B, as the terminal reports it
        await until(lambda: isinstance(app.screen, BrowserScreen), pilot)
        await pilot.press("escape")
        await until(lambda: not isinstance(app.screen, BrowserScreen), pilot)
        await pilot.press("s")
        await until(lambda: isinstance(app.screen, StudyScreen), pilot)
        await pilot.press("escape")
        await until(lambda: not isinstance(app.screen, StudyScreen), pilot)


async def _open_keys_tab(app: App[Any], pilot: Pilot[None]) -> None:
    await pilot.press("comma")
    await until(lambda: "General" in screen_text(app), pilot)
    for _ in range(3):  # General, Presets, Decks, Keys
        await pilot.press("ctrl+n")
        await pilot.pause()
    await until(lambda: bool(app.screen.query("#keymap-list")), pilot)


def _row(app: App[Any], binding_id: str) -> str:
    """The Keys tab's line for `binding_id`: its mark, keys, description, id."""
    options = app.screen.query_one("#keymap-list", OptionList)
    prompts = (options.get_option_at_index(i) for i in range(options.option_count))
    prompt = next(o.prompt for o in prompts if o.id == binding_id)
    return str(getattr(prompt, "plain", prompt))


async def test_an_empty_entry_is_not_reported_and_its_row_shows_the_shipped_key(
    retain_home: Path, open_app: OpenApp
) -> None:
    _config(retain_home, '"review.easy" = ""\n"review.good" = "g,"')
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert "is not a key" not in _said(app), _said(app)
        await _open_keys_tab(app, pilot)
        easy, good = _row(app, "review.easy"), _row(app, "review.good")
        assert easy.split()[0] == "4" and "⚠" not in easy, easy
        assert good.split()[0] == "g" and "⚠" not in good, good


async def test_with_an_empty_entry_4_rates_easy_and_g_comma_is_g(
    retain_home: Path, open_app: OpenApp
) -> None:
    _config(retain_home, '"review.easy" = ""\n"review.good" = "g,"')
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: isinstance(app.screen, StudyScreen), pilot)
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        await pilot.press("space", "4")
        await until(lambda: [e.rating for e in app.collection.history()] == [4], pilot)
        await pilot.press("space", "g")
        await until(lambda: [e.rating for e in app.collection.history()] == [4, 3], pilot)
