"""`[keymap]` checks: keys no terminal sends, and keys two bindings of one screen would share.

Textual binds a keymap value as written and matches it against the names its
input parser gives key presses: `esc` (how the key bar shows Escape), `Space`,
`return` or `shift+b` are taken without a word and never match (the presses
arrive as `escape`, `space`, `enter`, `B`), leaving the binding without a key.
`key_problem` says which keys those are and the name to write instead; an empty
value is no remapping (Textual keeps the binding's own keys).

Textual lets a screen's binding win over the app's for the same key, and a
keymap entry replace another binding of the same screen, both silently: with
`"home.browse" = "q"` the deck list can no longer quit. `keymap_conflicts`
finds every such pair where at least one side was remapped (the defaults are
deliberate: the help screen's `q` closes help), for the app to warn about at
start-up and for the settings screen to show as you type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
from textual._keyboard_protocol import FUNCTIONAL_KEYS, MODIFIER_FUNCTIONAL_KEYS
from textual.binding import Binding, BindingType
from textual.keys import (
    KEY_DISPLAY_ALIASES,
    REPLACED_KEYS,
    _character_to_key,
    _normalize_key_list,
    key_to_character,
)

from retain.ui.ascii_only import display_key

__all__ = [
    "Conflict",
    "bad_key_lines",
    "bad_key_names",
    "binding_keys",
    "key_problem",
    "keymap_conflicts",
    "spec_problem",
    "textual_key",
    "unknown_ids",
]

EVERYWHERE = "Everywhere"  # the section title of the app's own bindings (`binding_sections`)

Sections = Sequence[tuple[str, Sequence[BindingType]]]


@dataclass(frozen=True, slots=True)
class Conflict:
    key: str
    first: Binding  # the remapped one
    second: Binding
    section: str  # the screen where both apply

    def message(self) -> str:
        where = "everywhere" if self.section == EVERYWHERE else f"on {self.section}"
        return (
            f"`{_shown(self.key)}` is both {self.first.description} ({self.first.id}) "
            f"and {self.second.description} ({self.second.id}) {where}"
        )


def _shown(key: str) -> str:
    return display_key(key)


def binding_keys(binding: Binding, keymap: Mapping[str, str]) -> list[str]:
    """The keys a binding answers to after the keymap, in Textual's long form (`?` -> question_mark):
    as Textual applies it, an empty value keeps the binding's own keys, and a key Textual never
    reports (`esc`, `shift+b`: `key_problem`) is none."""
    keys = _normalize_key_list(keymap.get(binding.id or "", "")) or binding.key
    out: list[str] = []
    for key in keys.split(","):
        key = key.strip()
        if key and not key_problem(key):
            normal = _normalize_key_list(key)
            if normal not in out:
                out.append(normal)
    return out


def _with_ids(items: Iterable[BindingType]) -> list[Binding]:
    return [b for b in items if isinstance(b, Binding) and b.id]


def keymap_conflicts(sections: Sections, keymap: Mapping[str, str]) -> list[Conflict]:
    """Each key taken by two bindings that apply together (one screen plus the app's), where at least
    one of the two was remapped in `keymap`; bindings with the same action are no conflict."""
    resolved = [(title, _with_ids(items)) for title, items in sections]
    everywhere = next((b for t, b in resolved if t == EVERYWHERE), [])
    out: list[Conflict] = []
    seen: set[tuple[str, str, str]] = set()
    for title, bindings in resolved:
        scope = bindings if title == EVERYWHERE else [*bindings, *everywhere]
        owners: dict[str, list[Binding]] = {}
        for binding in scope:
            for key in binding_keys(binding, keymap):
                owners.setdefault(key, []).append(binding)
        for key, taken in owners.items():
            for i, first in enumerate(taken):
                for second in taken[i + 1 :]:
                    if first.action == second.action or first.id == second.id:
                        continue
                    if first.id not in keymap and second.id not in keymap:
                        continue  # both as shipped: deliberate
                    if key in binding_keys(first, {}) and key in binding_keys(second, {}):
                        continue  # both had this key as shipped (reveal and accept share space)
                    a, b = (first, second) if first.id in keymap else (second, first)
                    pair = (key, a.id or "", b.id or "")
                    if pair in seen:
                        continue
                    seen.add(pair)
                    section = EVERYWHERE if a in everywhere and b in everywhere else title
                    out.append(Conflict(key, a, b, section))
    return out


def unknown_ids(sections: Sections, keymap: Mapping[str, str]) -> list[str]:
    known = {b.id for _, items in sections for b in _with_ids(items)}
    return sorted(k for k in keymap if k not in known)


def bad_key_names(keymap: Mapping[str, str]) -> list[str]:
    """The binding ids that a key of theirs does not reach: a spelling Textual never receives
    (`esc`, `Space`, `shift+b`, `ctrl+`), or commas only. An empty value is no remapping (Textual
    keeps the shipped keys), and an empty part (`g,`) is no key."""
    return [binding_id for binding_id, spec in keymap.items() if spec_problem(spec)]


def bad_key_lines(keymap: Mapping[str, str]) -> list[str]:
    """One line per `bad_key_names` id, naming the key to write where there is one
    (`review.end = 'esc' is not a key; did you mean 'escape'?`; of several keys, the one meant:
    `review.end = 'q,esc': 'esc' is not a key; ...`)."""
    lines: list[str] = []
    for binding_id, spec in keymap.items():
        problem = spec_problem(spec)
        if problem:
            whole = problem.startswith(f"{spec.strip()!r} ")  # (the value is the one key named)
            lines.append(f"{binding_id} = {problem}" if whole else f"{binding_id} = {spec!r}: {problem}")
    return lines


def spec_problem(spec: str) -> str:
    """Why `spec` (one `[keymap]` value) has a key that does nothing, or "" when every key works."""
    if not _normalize_key_list(spec):
        return ""  # "" (or spaces): Textual keeps the binding's own keys
    parts = [part.strip() for part in spec.split(",") if part.strip()]
    if not parts:
        return "commas only: no key (the comma key is written 'comma')"
    return next((problem for problem in map(key_problem, parts) if problem), "")


# Textual's modifiers in the order it names them (sorted: `ctrl+shift+left`, `alt+shift+b`).
_MODIFIERS = ("alt", "ctrl", "hyper", "meta", "shift", "super")
_MODIFIER_WORDS = {"control": "ctrl", "ctl": "ctrl"}
# Names people write for keys Textual names otherwise; the first ones are how the key bar and help
# show a key (`esc`, `⏎`, `pgdn`), so a user copies them.
_KEY_WORDS = {
    **{shown: key for key, shown in KEY_DISPLAY_ALIASES.items() if shown != key and key != "minus"},
    "return": "enter", "ins": "insert", "pgdown": "pagedown", "page_down": "pagedown",
    "page_up": "pageup", "bksp": "backspace",
}  # fmt: skip


def _delivered_names() -> tuple[frozenset[str], frozenset[str]]:
    """(what a legacy terminal's sequences become, as Textual names them; the keys without a
    character, such as `escape`, `pagedown`, `f13`, also from the kitty keyboard protocol)."""
    legacy = {k.value for keys in ANSI_SEQUENCES_KEYS.values() if isinstance(keys, tuple) for k in keys}
    legacy = {k for k in legacy if not k.startswith("<")}  # (mouse wheel)
    named = {k.rpartition("+")[2] for k in legacy} | set(FUNCTIONAL_KEYS.values())
    named = {k for k in named - MODIFIER_FUNCTIONAL_KEYS if len(k) > 1 and not _printable(k)}
    return frozenset(legacy), frozenset(named | {"space"})  # (space: a character, yet shift+space is sent)


def _printable(name: str) -> str | None:
    """The printable character a key name names (`question_mark`, `minus`), or None."""
    character = key_to_character(REPLACED_KEYS.get(name, name))  # (minus: HYPHEN-MINUS)
    return character if character is not None and character.isprintable() else None


_LEGACY, _NAMED = _delivered_names()


@lru_cache(maxsize=1024)
def key_problem(key: str) -> str:
    """Why Textual never reports a key press as `key` (one key of a `[keymap]` value), with the
    key to write where one is meant; "" for a key it does report."""
    key = key.strip()
    name = textual_key(key)
    if (name is not None and name == _normalize_key_list(key)) or _normalize_key_list(key) in _LEGACY:
        return ""
    if name is not None:
        return f"{key!r} is not a key; did you mean {name!r}?"
    modifiers, _, base = key.rpartition("+")
    if modifiers.lower() == "shift" and len(base) == 1:
        return f"{key!r} is not a key: shift with a character is the character typed (like 'B', '!')"
    return f"{key!r} is not a key (like ctrl+s, space, f1, j)"


@lru_cache(maxsize=1024)
def textual_key(key: str) -> str | None:
    """The name Textual gives the key press `key` spells, or None if it spells none: a key bar or
    natural spelling (`esc`, `Space`, `shift+b`, `Ctrl+S`, `^s`) becomes `escape`, `space`, `B`,
    `ctrl+s`; a Textual name stays as it is."""
    key = key.strip()
    if len(key) == 1:
        return _KEY_WORDS.get(key) or (_character_to_key(key) if key.isprintable() else None)
    if key.startswith("^"):
        key = f"ctrl+{key[1:]}"  # (how the key bar shows ctrl)
    key = "+".join(part.strip() for part in key.split("+"))  # ctrl + s
    words, _, base = key.rpartition("+")
    if base == "" and words.endswith("+"):
        words, base = words[:-1], "+"  # ctrl++
    modifiers = {_MODIFIER_WORDS.get(w, w) for w in words.lower().split("+")} if words else set()
    if not modifiers <= set(_MODIFIERS) or len(modifiers) != len(words.split("+") if words else []):
        return None
    name = _base_key(base)
    if name is None:
        return None
    if len(name) == 1:  # a character: the terminal sends what shift makes of it
        if modifiers == {"shift"}:
            return name.upper() if name.isalpha() and name.upper() != name.lower() else None
        if not modifiers:
            return _character_to_key(name)
        if name.isupper():
            name, modifiers = name.lower(), modifiers | {"shift"}
        name = _character_to_key(name)
    return "+".join([*(m for m in _MODIFIERS if m in modifiers), name])


def _base_key(base: str) -> str | None:
    """The key without modifiers: a name of `_NAMED` (`escape`), or the character (`?` for
    `question_mark`, `Space`'s `space` being a name)."""
    if len(base) == 1:
        return _KEY_WORDS.get(base) or (base if base.isprintable() else None)
    word = _KEY_WORDS.get(base.lower(), base.lower())
    if word in _NAMED:
        return word
    return _printable(word)
