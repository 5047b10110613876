"""`[keymap]` conflicts: a remapped key that another binding of the same screen (or the app) also uses.

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

from textual.binding import Binding, BindingType
from textual.keys import _normalize_key_list

from retain.ui.ascii_only import display_key

__all__ = ["Conflict", "binding_keys", "keymap_conflicts", "unknown_ids"]

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
    """The keys a binding answers to after the keymap, in Textual's long form (`?` -> question_mark)."""
    keys = keymap.get(binding.id or "", binding.key)
    out: list[str] = []
    for key in keys.split(","):
        key = key.strip()
        if key:
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


_MODIFIERS = frozenset(("ctrl", "shift", "alt", "meta", "super", "hyper"))


def _known_key(base: str) -> bool:
    """A key Textual can name: one character, a key name (`f1`, `pageup`) or a character's name
    (`comma`, `question_mark`)."""
    import unicodedata

    from textual import keys

    if len(base) == 1 or base in {k.value for k in keys.Keys} or base in keys.KEY_NAME_REPLACEMENTS.values():
        return True
    try:
        unicodedata.lookup(keys._get_unicode_name_from_key(base))
    except (KeyError, ValueError):
        return keys.key_to_character(base) is not None
    return True


def bad_key_names(keymap: Mapping[str, str]) -> list[str]:
    """The binding ids whose keys are no key at all (`ctrl+`, `notakey!!`): such a binding is dead."""
    bad: list[str] = []
    for binding_id, spec in keymap.items():
        for part in (p.strip() for p in spec.split(",")):
            *mods, base = ["+"] if part == "+" else part.split("+")
            if not part or not base or not _MODIFIERS.issuperset(mods) or not _known_key(base):
                bad.append(binding_id)
                break
    return bad
