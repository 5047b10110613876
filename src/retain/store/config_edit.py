"""Edit `config.toml` in place: change one value at a time, keep comments and layout, save safely.

`ConfigDocument.open(path)` reads the file into a tomlkit document and notes
what was on disk (mtime, size and a SHA-256 of the text). `set(keys, value)`
changes one value (None removes the key, so the setting is inherited again);
every other byte stays as the user wrote it. `save()` validates the new text
as the loader reads the file (`loadable`: its size limit, then `parse_config`,
so the messages are the loader's; every writer of config.toml checks with it),
then refuses with `ConfigChangedOnDisk` when the file's text changed since it
was opened, instead of overwriting someone else's edit. The caller asks the
user, then calls `save(force=True)` (overwrite) or `merged()` (the file as it
is now, with this document's changes applied on top). Writes are atomic and
keep the file's mode (`store.files.atomic_write`), each line's own line ending
(`line_ends.with_line_ends`: a file with a CRLF line among LF ones keeps both) and a
leading BOM. A list of numbers set where an array of as many numbers stands
goes into it one by one, its layout and comments kept (`retain optimize`
saves the FSRS weights through this document: `store.config_write`).
"""

from __future__ import annotations

import copy
import hashlib
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.container import OutOfOrderTableProxy
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Array, Comment, InlineTable, KeyType, SingleKey, Table, Whitespace

from retain.core.deckwrite import has_invisible, toml_string, tomlkit_string
from retain.core.tomlsafe import TomlFailure, loads_safe
from retain.store.config import Config, ConfigError, marker_problem, parse_config, read_only
from retain.store.files import MAX_CONFIG_BYTES, ReadError, _mib, atomic_write, read_text_limited
from retain.store.line_ends import with_line_ends
from retain.store.oserror import os_error_text

__all__ = [
    "MAX_CONFIG_BYTES",
    "ConfigChangedOnDisk",
    "ConfigDocument",
    "ConfigEditError",
    "FileStamp",
    "Keys",
    "loadable",
    "problem",
    "save_value",
]

BOM = "\ufeff"
Keys = tuple[str, ...]  # a value's place: ("rollover_hour",), ("study", "new_per_day"), ("keymap", "a.b")


class ConfigEditError(Exception):
    """config.toml cannot be read, parsed or written; the message is one line for the user."""


class ConfigChangedOnDisk(ConfigEditError):
    """config.toml changed on disk since it was opened: ask before overwriting it."""


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What the file was when read: None fields for a missing file."""

    mtime_ns: int | None
    size: int | None
    sha256: str | None

    @classmethod
    def of(cls, path: Path, text: str | None) -> FileStamp:
        if text is None:
            return cls(None, None, None)
        try:
            st = path.stat()
        except OSError:
            return cls(None, None, _digest(text))
        return cls(st.st_mtime_ns, st.st_size, _digest(text))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def loadable(path: Path, text: str) -> Config:
    """The config that `text`, written as config.toml at `path` (BOM and line ends as the file would
    hold them), loads as: ConfigError (one line) when retain would refuse to start with that file,
    by the loader's size limit (which counts the BOM) or by `parse_config`. Every write of
    config.toml (`ConfigDocument.save`, `config_write.save_parameters`) is checked with it first,
    and the settings screen's check as you type is this same one."""
    if len(text) * 4 > MAX_CONFIG_BYTES:  # (a short text cannot be over: not encoded per key press)
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(
                f"config: {path.name} would be {_mib(size)}; the limit is {_mib(MAX_CONFIG_BYTES)} "
                "(retain would not start with it)"
            )
    return parse_config(text.removeprefix(BOM), base=path.parent)


def _read(path: Path) -> str | None:
    """The file's text, None when it does not exist; ConfigEditError when it cannot be read."""
    try:
        return read_text_limited(path, MAX_CONFIG_BYTES)
    except ReadError as exc:
        if not path.exists():
            return None
        raise ConfigEditError(f"{path}: {exc}") from None


def _starts_with_bom(path: Path) -> bool:
    """The file starts with a UTF-8 BOM (a Windows editor's), which reading it drops: a write keeps it."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # (never waits on a FIFO)
    except OSError:
        return False
    try:
        return os.read(fd, 3) == BOM.encode("utf-8")
    except OSError:
        return False
    finally:
        os.close(fd)


def _parse(path: Path, text: str, cannot: str = "cannot edit") -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(text)
    except (TOMLKitError, ValueError, RecursionError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigEditError(f"{path}: {cannot}: {first}") from None


def _toml_value(value: Any) -> Any:
    """Plain Python values for tomlkit (tuples become arrays)."""
    if isinstance(value, tuple | list):
        return [_text(_toml_value(v)) for v in value]
    return value


def _key(key: str) -> str | SingleKey:
    """`key` for tomlkit to write: as deckwrite writes a string when it holds a character deckwrite
    escapes (a deck's group as `[groups."NAME"]`: tomlkit wrote a C1 control or a bidi override raw)."""
    return SingleKey(key, KeyType.Basic, original=toml_string(key)) if has_invisible(key) else key


def _text(value: Any) -> Any:
    """A string value as `_key` writes a key (tomlkit would write it raw)."""
    return tomlkit_string(value) if isinstance(value, str) else value


def _add_key(table: Any, key: str, value: Any) -> None:
    """Add `key` to a table before its trailing blank lines and comments (which belong to the next
    header), so a new setting lands next to its siblings, not under the next table's comment."""
    value = _text(value)
    if key in table:
        if not _numbers_in_place(table.get(key), value):
            table[key] = value  # an existing key keeps its place and its trailing comment
        return
    if not isinstance(table, Table) or table.is_super_table():
        table[_key(key)] = value
        return
    body = table.value.body
    idx = len(body)
    while idx > 0 and body[idx - 1][0] is None and isinstance(body[idx - 1][1], Whitespace | Comment):
        idx -= 1
    if idx == len(body):
        table[_key(key)] = value
        return
    table.value._insert_at(idx, _key(key), value)
    dict.__setitem__(table, key, table.value[key])


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numbers_in_place(old: Any, value: Any) -> bool:
    """Put a list of numbers into an existing array of as many numbers one by one, so its layout
    (one line or many) and every comment in it stay (the FSRS weights `retain optimize` saves);
    False (nothing done) for any other value."""
    if not (isinstance(old, Array) and isinstance(value, list) and len(old) == len(value)):
        return False
    if not (all(map(_number, value)) and all(map(_number, old))):
        return False
    for i, number in enumerate(value):
        old[i] = number  # (the item's indent, comma and comment stay)
    return True


class ConfigDocument:
    """One editing session of config.toml. Not thread-safe; keep it on the UI thread."""

    def __init__(self, path: Path, text: str | None, *, cannot: str = "cannot edit") -> None:
        """`cannot` starts the message for a text that cannot be parsed ("cannot edit": the
        settings screen; `retain optimize` saving weights says its own)."""
        self.path = path
        self._cannot = cannot
        self.raw = text or ""  # as opened (or last saved), each line with its own ending
        self.bom = text is not None and _starts_with_bom(path)  # (the text is read without it)
        self.original = self.raw.replace("\r\n", "\n")  # (what tomlkit edits: LF line ends)
        self.stamp = FileStamp.of(path, text)
        said = marker_problem(self.original)  # a merge's markers: named, not "Invalid statement"
        if said:
            raise ConfigEditError(f"{path}{said.removeprefix('config.toml')}")
        parsed = loads_safe(self.original)  # the fast parser: tomlkit's waits for the first edit
        if isinstance(parsed, TomlFailure):
            raise ConfigEditError(f"{path}:{parsed.line}:{parsed.col}: {cannot}: {parsed.message}")
        self._data: dict[str, Any] | None = parsed
        self._opened: dict[str, Any] = parsed  # the values as opened (or last saved): see `merged`
        self._doc: tomlkit.TOMLDocument | None = None
        self.changes: dict[Keys, Any] = {}  # the last value set per place (None: removed), for `merged`

    @property
    def doc(self) -> tomlkit.TOMLDocument:
        """The tomlkit document (parsed on first use)."""
        if self._doc is None:
            self._doc = _parse(self.path, self.original, self._cannot)
        return self._doc

    @classmethod
    def open(cls, path: Path) -> ConfigDocument:
        return cls(path, _read(path))

    # ---- reading ---------------------------------------------------------------

    def data(self) -> dict[str, Any]:
        """The document as plain Python values (do not change them)."""
        if self._data is None:
            self._data = self.doc.unwrap()
        return self._data

    def get(self, keys: Keys) -> Any:
        """The value at `keys` (plain Python), None when it is not set."""
        node: Any = self.data()
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node

    def text(self) -> str:
        """The edited text, each line the edit left alone ending as it did (`with_line_ends`)."""
        if self._doc is None:
            return self.raw
        out: str = self._doc.as_string()
        if out.endswith("\n\n") and not self.original.endswith("\n\n"):
            out = out.rstrip("\n") + "\n"  # a new last table's blank line is not kept at the end
        return with_line_ends(self.raw, out)

    def to_write(self, text: str) -> str:
        """`text` (this document's) as the file holds it: with the BOM it started with, if any."""
        return BOM + text if self.bom else text

    def _as_opened(self) -> str:
        """The text as opened (or last saved), with its line ends."""
        return self.raw

    @property
    def dirty(self) -> bool:
        return bool(self.changes) and self.text() != self._as_opened()

    def validate(self) -> Config:
        """The config the edited text, as it would be written, loads as; ConfigError with the
        loader's message (its size limit too: `loadable`)."""
        return loadable(self.path, self.to_write(self.text() if self.changes else self._as_opened()))

    # ---- editing ---------------------------------------------------------------

    def set(self, keys: Keys, value: Any) -> None:
        """Set the value at `keys`, creating tables on the way; None removes it (inherit the default).
        An empty dict makes a table there unless there is one already (whose keys stay). A group's
        limit removed from `[groups."NAME"]` takes the table with it when no key is left.

        The document is rebuilt from the text as opened plus every change so far, so a value
        cleared and typed again is back in its place with its comment.
        """
        self.set_many([(keys, value)])

    def set_many(self, edits: Sequence[tuple[Keys, Any]]) -> None:
        """`set` each (keys, value) of `edits`, in order, rebuilding the document once (an import
        setting the preset of 300 decks: `set` one by one redoes every change before it)."""
        if not edits:
            return
        keys = edits[-1][0]
        changes = {**self.changes, **dict(edits)}
        doc = _parse(self.path, self.original, self._cannot)
        try:
            for place, new in changes.items():
                self._apply(doc, place, new)
        except (TOMLKitError, ValueError, TypeError, KeyError) as exc:
            # (a layout tomlkit cannot edit there: one line for the user, never a crash of the screen)
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ConfigEditError(f"config: `{'.'.join(keys)}` cannot be set in this file: {first}") from None
        self._check(doc, changes, keys)
        self._doc, self._data, self.changes = doc, None, changes

    def _check(self, doc: tomlkit.TOMLDocument, changes: dict[Keys, Any], keys: Keys) -> None:
        """The edited text must read back as the file as opened with `changes` and nothing else
        changed: tomlkit puts a new `[table]` where the file's layout may make the lines after it
        part of it (`decks.a.preset = ...` below it), which would move settings without a word."""
        got = loads_safe(doc.as_string())
        if isinstance(got, TomlFailure) or not _same(_bare(got), _bare(_expected(self._opened, changes))):
            raise ConfigEditError(
                f"config: `{'.'.join(keys)}` cannot be set in the layout of this config.toml; "
                "set it there by hand"
            )

    def _apply(self, doc: tomlkit.TOMLDocument, keys: Keys, value: Any) -> None:
        if not keys:
            raise ValueError("no key")
        node: Any = doc
        parent: Any = None
        dotted = False  # `node` is written as dotted keys (`decks.a.preset = 1`), not under a header
        for depth, key in enumerate(keys[:-1]):
            child = node.get(key)
            if child is None:
                if value is None:
                    return  # nothing to remove
                child = _new_table(node, dotted, nested=depth == 0 and len(keys) > 2)
                _add_key(node, key, child)
                child = node[key]
            elif not isinstance(child, Table | InlineTable | OutOfOrderTableProxy):
                # (a proxy: the table's parts are apart in the file, `[decks.a]` .. `[presets.b]`
                # .. `[decks.c]`, or dotted keys `study.x = 1`; TOML allows both, retain reads them)
                name = ".".join(keys[: depth + 1])
                raise ConfigEditError(f"config: `{name}` must be a table")
            else:
                dotted = dotted or _dotted(node, key)
            parent, node = node, child
        last = keys[-1]
        if value is None:
            if last in node:
                del node[last]
                if parent is not None and _pruned(keys) and not node:
                    _keep_trailing(doc, node)  # the next header's comments, which tomlkit keeps here
                    del parent[keys[-2]]  # never an empty `[groups."NAME"]`: it would mean nothing
            return
        if value == {} and isinstance(node.get(last), Table | InlineTable | OutOfOrderTableProxy):
            return  # "make sure the table is there": never empty one that holds settings
        if value == {}:
            _add_key(node, last, _new_table(node, dotted, nested=False))
            return
        _add_key(node, last, _toml_value(value))

    # ---- saving ----------------------------------------------------------------

    def changed_on_disk(self) -> bool:
        """The file's text differs from what was opened (created, deleted or edited meanwhile).

        The stamp holds mtime, size and a SHA-256 of the text; the hash decides, so an
        edit within one mtime tick (same size) is seen and a `touch` alone is no conflict.
        """
        return self.disk_stamp().sha256 != self.stamp.sha256

    def disk_stamp(self) -> FileStamp:
        """The file as it is on disk now."""
        return FileStamp.of(self.path, _read(self.path))

    def save(self, *, force: bool = False) -> Config:
        """Validate, check the file did not change on disk (unless `force`), write atomically.

        Raises ConfigError (invalid; nothing written), ConfigChangedOnDisk (nothing
        written; ask the user) or ConfigEditError (the write failed).
        """
        config = self.validate()
        if not force and self.changed_on_disk():
            raise ConfigChangedOnDisk(f"{self.path.name} changed on disk since the settings were opened")
        said = read_only(self.path)
        if said:
            raise ConfigEditError(f"{said}; nothing written")
        text = self.text()
        try:
            atomic_write(self.path, self.to_write(text), keep_hard_links=True)
        except OSError as exc:
            raise ConfigEditError(f"cannot write {self.path}: {os_error_text(exc, name=False)}") from None
        self.raw, self.original = text, text.replace("\r\n", "\n")
        self.stamp = FileStamp.of(self.path, text)
        self._opened = self.data()
        self.changes.clear()
        return config

    def merged(self) -> ConfigDocument:
        """The file as it is on disk now, with this document's changes applied on top (mine win).

        Only the values that differ from the file as it was opened are changes: a value typed and
        typed back, or a table made and taken back, leaves theirs as it is.
        """
        fresh = ConfigDocument.open(self.path)
        for keys, value in self.changes.items():
            if not _same(_toml_value(value), _at(self._opened, keys)):
                fresh.set(keys, value)
        return fresh


def _new_table(node: Any, dotted: bool, *, nested: bool) -> Any:
    """An empty table to add under `node`: a `[header]` table (or, `nested`, one that only holds
    tables), but an inline one inside an inline table (`presets = {}` can hold no `[table]`) or
    among dotted keys (a `[header]` there would take the dotted lines after it in)."""
    if dotted or isinstance(node, InlineTable):
        return tomlkit.inline_table()
    table = tomlkit.table(is_super_table=nested)
    if not nested:
        table.add(tomlkit.nl())  # a blank line before the next header
    return table


def _dotted(node: Any, key: str) -> bool:
    """`key` of `node` (the document or a table) is written as dotted keys (`decks.a.x = 1`)."""
    container = node if isinstance(node, tomlkit.TOMLDocument) else getattr(node, "value", None)
    body = getattr(container, "body", ())
    return any(k is not None and k.key == key and k.is_dotted() for k, _ in body)


def _expected(data: dict[str, Any], changes: dict[Keys, Any]) -> dict[str, Any]:
    """`data` (plain values) with `changes` made as `ConfigDocument._apply` makes them."""
    out: dict[str, Any] = copy.deepcopy(data)
    for keys, value in changes.items():
        node = out
        parents: list[dict[str, Any]] = []
        for key in keys[:-1]:
            if key not in node:
                if value is None:
                    break
                node[key] = {}
            parents.append(node)
            node = node[key]
        else:
            last = keys[-1]
            if value is None:
                node.pop(last, None)
                if parents and _pruned(keys) and not node:
                    del parents[-1][keys[-2]]
            elif value == {}:
                if not isinstance(node.get(last), dict):
                    node[last] = {}
            else:
                node[last] = _toml_value(value)
    return out


def _bare(data: dict[str, Any], depth: int = 0, path: str = "") -> dict[str, Any]:
    """`data` without its empty tables, which the loader reads as no table (tomlkit drops an emptied
    dotted or implied table), except a preset's: `[presets.hard]` defines preset "hard"."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            value = _bare(value, depth + 1, key if depth == 0 else path)
            if not value and not (depth == 1 and path == "presets"):
                continue
        out[key] = value
    return out


def _pruned(keys: Keys) -> bool:
    """A removed key whose table goes too when it is left empty: a group's limit (an empty
    `[groups."NAME"]` limits nothing; the settings screen clears both fields to say "no limit")."""
    return len(keys) == 3 and keys[0] == "groups"


def _trailing(table: Table) -> list[Any]:
    """The blank lines and comments at the end of `table`'s body: in the file they stand above the
    next header (tomlkit keeps them with the table before it)."""
    body = table.value.body
    idx = len(body)
    while idx > 0 and body[idx - 1][0] is None and isinstance(body[idx - 1][1], Whitespace | Comment):
        idx -= 1
    return [item for _, item in body[idx:]]


def _shown_tables(body: list[tuple[Any, Any]], holder: Any, out: list[tuple[Any, Any]]) -> None:
    """(table, the table or document shown around it) for every table with a header, in file order
    (a table without one, `[groups]` only implied by `[groups."A"]`, shows nothing of its own)."""
    for _key, item in body:
        if isinstance(item, Table):
            if item.is_super_table():
                _shown_tables(item.value.body, holder, out)
            else:
                out.append((item, holder))
                _shown_tables(item.value.body, item, out)
        elif isinstance(item, AoT):
            for element in item.body:
                out.append((element, holder))
                _shown_tables(element.value.body, element, out)


def _keep_trailing(doc: tomlkit.TOMLDocument, table: Any) -> None:
    """Before `table` is deleted: move its trailing blank lines and comments to what is shown just
    above its header (the table before it, or the table or top of the file it is in), so the
    comment over the next header stays. (A table not found in the document's body, which tomlkit
    has not done for any layout tried, takes them with it: never an error.)"""
    if not isinstance(table, Table):
        return
    tail = _trailing(table)
    shown: list[tuple[Any, Any]] = []
    _shown_tables(doc.body, doc, shown)
    at = next((i for i, (t, _) in enumerate(shown) if t is table), None)
    if not tail or at is None:
        return
    before, holder = (shown[at - 1][0] if at > 0 else None), shown[at][1]
    if before is not None and before is not holder:
        body = before.value.body
        if body and isinstance(body[-1][1], Whitespace) and isinstance(tail[0], Whitespace):
            tail = tail[1:]  # one blank line between the tables, not two
        body.extend((None, item) for item in tail)  # (at the end: no index moves)
        return
    container = holder if holder is doc else holder.value  # the first table in the file, or in `[x]`
    top = next((i for i, (_, item) in enumerate(container.body) if _holds(item, table)), None)
    if top is not None:
        if top > 0 and isinstance(container.body[top - 1][1], Whitespace) and isinstance(tail[0], Whitespace):
            tail = tail[1:]  # one blank line, not two
        _insert_plain(container, top, tail)


def _holds(item: Any, table: Table) -> bool:
    """`item` is `table` or a table that holds it."""
    return item is table or (isinstance(item, Table) and any(_holds(c, table) for _, c in item.value.body))


def _insert_plain(container: Any, idx: int, items: list[Any]) -> None:
    """Put blank lines and comments (items without a key) at `idx` of a tomlkit container, moving
    its index of the keys after them as `Container._insert_at` does for a key."""
    n = len(items)
    for key, at in list(container._map.items()):
        if isinstance(at, tuple):
            container._map[key] = tuple(i + n if i >= idx else i for i in at)
        elif at >= idx:
            container._map[key] = at + n
    container.body[idx:idx] = [(None, item) for item in items]


def _at(data: dict[str, Any], keys: Keys) -> Any:
    """The plain value at `keys` in `data`, None when there is none."""
    node: Any = data
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _same(a: Any, b: Any) -> bool:
    """Equal as TOML values: `20` is not `20.0`, nor `true` `1`."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True  # (`nan` typed in a field is the same value read back)
    return type(a) is type(b) and a == b


def save_value(path: Path, keys: Keys, value: Any) -> Config:
    """Read config.toml, set one value, write it back (comments kept): for one-off changes such as
    the theme chosen from the command palette. Raises ConfigError / ConfigEditError; nothing is
    written then."""
    edit = ConfigDocument.open(path)
    edit.set(keys, value)
    return edit.save(force=True)


def problem(edit: ConfigDocument) -> str:
    """The loader's one-line message for the edited text, or "" when it loads."""
    try:
        edit.validate()
    except ConfigError as exc:
        return str(exc)
    return ""
