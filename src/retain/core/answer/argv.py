"""Shell words for `match = "command"`: POSIX `shlex` splitting with each word's place in the text, and
argv parsed into positionals and flags the way getopt reads them.

Which flags take a value is learnt from the expected command: `--ns=x` takes
one; a flag followed by a flag, or last, does not; a flag followed by a plain
word may (`-n prod`, or `-f web` where `-f` is a switch). `settle_arity` decides
those from the typed answer: a flag it shows as a switch (last, before another
flag, or inside a bundle of the card's short flags) is one; any other takes the
word after it in both commands. One reading, never "whichever makes the answer
right": that let a word be a flag's value in one command and a positional in
the other (`-c pod-a web` for `pod-a -c web`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

__all__ = [
    "Arity",
    "Flag",
    "Parsed",
    "Word",
    "command_text",
    "learn_arity",
    "long_options",
    "parse_argv",
    "settle_arity",
    "split_error",
    "split_words",
    "whole_words",
]

Arity = Literal["value", "switch", "either"]
_DASHES = "‐‑‒–—―−﹣－"


class Word(NamedTuple):  # tuples: a 200-word command builds hundreds of these per check
    text: str
    start: int  # span in the original text; -1 when unknown
    end: int
    flag: bool  # `is_flag(text)`


def _word(text: str, start: int, end: int) -> Word:
    return Word(text, start, end, is_flag(text))


class Flag(NamedTuple):
    name: str  # canonical (aliases applied)
    value: str | None
    words: tuple[int, ...]  # indexes of the words it came from
    shown: str  # as written, for messages


@dataclass(slots=True)
class Parsed:
    positionals: list[tuple[str, int]] = field(default_factory=list)  # (word, index)
    flags: list[Flag] = field(default_factory=list)
    plain: bool = False  # every word ASCII without a backquote (`unify_styles` leaves it alone)


def command_text(text: str) -> str:
    """A command without Markdown code marks around it or a `$ ` prompt before it."""
    text = text.strip()
    for fence in ("```", "`"):
        if text.startswith(fence) and text.endswith(fence) and len(text) > 2 * len(fence):
            text = text[len(fence) : -len(fence)].strip()
            break
    if text.startswith(("sh\n", "bash\n", "shell\n", "console\n")):
        text = text.split("\n", 1)[1]
    return text.removeprefix("$ ").strip()


# One shell word, as POSIX `shlex` reads it: unquoted characters, '...', "..." (where only \" and
# \\ are escapes) and \x, run together. Regex matching runs in C: shlex's own lexer reads about
# 1 MB/s, which a hostile deck full of commands would turn into minutes. Group repeats are
# possessive (no way through can give back a character), else `re` keeps memory for each one.
_WORD = re.compile(r"""(?:[^ \t\r\n'"\\]+|'[^']*'|"(?:[^"\\]|\\.)*+"|\\.)++""", re.DOTALL)
_SPACE = re.compile(r"[ \t\r\n]*")
_PIECE = re.compile(r"""'([^']*)'|"((?:[^"\\]|\\.)*+)"|\\(.)|([^'"\\]+)""", re.DOTALL)
_IN_DOUBLE = re.compile(r'\\(["\\])')


def _unquote(word: str) -> str:
    out: list[str] = []
    for m in _PIECE.finditer(word):
        single, double, escaped, plain = m.groups()
        if single is not None:
            out.append(single)
        elif double is not None:
            out.append(_IN_DOUBLE.sub(r"\1", double))
        else:
            out.append(escaped if escaped is not None else plain)
    return "".join(out)


def _skip_spaces(text: str, at: int) -> int:
    m = _SPACE.match(text, at)
    return m.end() if m else at


_QUOTED = re.compile(r"""'[^']*'|"(?:[^"\\]|\\.)*+"|\\.""", re.DOTALL)


def split_error(text: str) -> str | None:
    """Why `shlex.split(text)` fails (its message), or None: in C-speed regex passes, for `retain check`."""
    if not any(ch in text for ch in "'\"\\"):
        return None
    rest = _QUOTED.sub("", text)
    if not any(ch in rest for ch in "'\"\\"):
        return None
    try:
        split_words(text)
    except ValueError as exc:
        return str(exc)
    return None


def _shlex_error(rest: str) -> None:
    """Raise the ValueError shlex raises for the rest of an unsplittable text (its exact message)."""
    import shlex

    shlex.split(rest)
    raise ValueError("No closing quotation")


_PLAIN = re.compile(r"[^ \t\r\n]+")


def split_words(text: str) -> list[Word]:
    """`shlex.split(text)` (POSIX) with each word's span; ValueError with shlex's message on an
    unclosed quote or a backslash at the end."""
    if "'" not in text and '"' not in text and "\\" not in text:  # nothing to unquote: one pass
        if text.isascii():  # no typographic dash to fix either
            return [
                Word(t, m.start(), m.end(), is_flag(t)) for m in _PLAIN.finditer(text) for t in (m.group(),)
            ]
        return [_word(_fix_dash(m.group()), m.start(), m.end()) for m in _PLAIN.finditer(text)]
    words: list[Word] = []
    at = _skip_spaces(text, 0)
    while at < len(text):
        m = _WORD.match(text, at)
        end = m.end() if m else at
        if end < len(text) and text[end] not in " \t\r\n":
            _shlex_error(text[at:])
        words.append(_word(_fix_dash(_unquote(text[at:end])), at, end))
        at = _skip_spaces(text, end)
    return words


def _fix_dash(word: str) -> str:
    """A dash that a phone or a word processor made typographic: `—namespace` -> `--namespace`."""
    if word[:1] in _DASHES and len(word) > 1:
        rest = word[1:]
        return ("--" if len(rest) > 1 and rest[0] not in "-=" else "-") + rest
    return word


def is_flag(word: str) -> bool:
    return len(word) > 1 and word[0] == "-" and word != "--" and not (word[1].isdigit() or word[1] == ".")


# Programs that read every single-dash word as one option (`find -name`, `java -jar`, Go's `flag`
# package): they have no bundles of one-letter switches.
_WHOLE_DASH_PROGRAMS = frozenset(
    {
        "consul", "ffmpeg", "ffplay", "ffprobe", "find", "go", "java", "javac", "keytool", "nomad",
        "openssl", "packer", "terraform", "tofu", "vault", "xcodebuild",
    }
)  # fmt: skip


def _could_bundle(name: str) -> bool:
    """Whether a single-dash word (`-la`) could be one-letter switches: letters only, none twice."""
    letters = name[1:]
    return letters.isascii() and letters.isalpha() and len(set(letters)) == len(letters)


def _dash_long(word: str, aliases: dict[str, str]) -> str | None:
    """The name of a single-dash word of more than one letter (`-name` of `-name=x`), else None."""
    if word.startswith("--") or word in aliases:
        return None
    name = word.partition("=")[0]
    if len(name) <= 2 or name in aliases:
        return None
    return name


def _reads_whole(words: Sequence[Word]) -> bool:
    """Whether the command's program (a word before its first flag) reads single-dash words whole."""
    for w in words:
        if w.flag:
            return False
        if w.text.rsplit("/", 1)[-1].lower() in _WHOLE_DASH_PROGRAMS:
            return True
    return False


def long_options(words: Sequence[Word], aliases: dict[str, str]) -> tuple[frozenset[str], bool]:
    """The expected command's single-dash long options (`-name`, `-auto-approve`, `-noout`), to be
    matched as whole words, and whether its program reads every single-dash word whole. A word is a
    bundle of switches (`-la`, `-xzvf`) only when it could be one: letters only, none twice, and a
    program that bundles."""
    every = _reads_whole(words)
    found: set[str] = set()
    for w in words:
        if w.text == "--":
            break
        name = _dash_long(w.text, aliases) if w.flag else None
        if name is not None and (every or not _could_bundle(name)):
            found.add(name)
    return frozenset(found), every


def whole_words(
    typed: Sequence[Word], aliases: dict[str, str], arity: dict[str, Arity], every: bool
) -> frozenset[str]:
    """The typed single-dash words to read whole, against a command read with `long_options`: all
    of them when its program reads them so; else those that cannot be a bundle starting with one of
    the card's short flags (`-nprod` and `-nkube-system` are `-n` and a value; `-evorppa-otua` is a
    word)."""
    found: set[str] = set()
    for w in typed:
        if w.text == "--":
            break
        name = _dash_long(w.text, aliases) if w.flag else None
        if name is None:
            continue
        if every or (not _could_bundle(name) and _canon("-" + name[1], aliases) not in arity):
            found.add(name)
    return frozenset(found)


def _canon(name: str, aliases: dict[str, str]) -> str:
    for _ in range(3):  # -n -> --namespace; a short chain at most
        if name not in aliases:
            break
        name = aliases[name]
    return name


def _pieces(
    word: str, aliases: dict[str, str], arity: dict[str, Arity], reading: Arity
) -> list[tuple[str, str | None, bool]]:
    """(flag, inline value, may take the next word) for one flag word."""
    if word.startswith("--") or word in aliases or len(word) == 2 or word.partition("=")[0] in aliases:
        name, eq, value = word.partition("=")
        if eq:
            return [(name, value, False)]
        return [(name, None, True)]
    name, eq, value = word.partition("=")
    if eq and len(name) == 2:
        return [(name, value, False)]
    out: list[tuple[str, str | None, bool]] = []
    for k in range(1, len(word)):
        flag = "-" + word[k]
        rest = word[k + 1 :]
        takes = arity.get(_canon(flag, aliases), "switch")
        if rest and (takes == "value" or (takes == "either" and reading == "value")):
            return [*out, (flag, rest, False)]
        out.append((flag, None, not rest))
    return out


def parse_argv(
    words: Sequence[Word], aliases: dict[str, str], arity: dict[str, Arity], reading: Arity
) -> Parsed:
    """Positionals and flags of argv; `reading` decides the flags whose arity is "either"."""
    texts = [w.text for w in words]
    joined = "".join(texts)
    parsed = Parsed(plain=joined.isascii() and "`" not in joined)
    flagish = [w.flag for w in words]
    count = len(texts)
    i, ended = 0, False
    while i < count:
        word = texts[i]
        if ended or not flagish[i]:
            if word == "--" and not ended:
                ended = True
            else:
                parsed.positionals.append((word, i))
            i += 1
            continue
        nxt = i + 1 < count and not flagish[i + 1]  # a plain word follows
        if (
            word.startswith("--") or word in aliases or len(word) == 2 or word.partition("=")[0] in aliases
        ):  # one flag (the usual case)
            name, eq, value = word.partition("=")
            name = _canon(name, aliases) if aliases else name
            if eq:
                parsed.flags.append(Flag(name, value, (i,), word))
            else:
                takes = arity.get(name, "switch")
                if nxt and (takes == "value" or (takes == "either" and reading == "value")):
                    parsed.flags.append(Flag(name, texts[i + 1], (i, i + 1), word))
                    i += 1
                else:
                    parsed.flags.append(Flag(name, None, (i,), word))
            i += 1
            continue
        used = [i]
        pieces = _pieces(word, aliases, arity, reading)
        for n, (flag, inline, open_) in enumerate(pieces):
            name = _canon(flag, aliases)
            takes = arity.get(name, "switch")
            wants = takes == "value" or (takes == "either" and reading == "value")
            if inline is None and open_ and n == len(pieces) - 1 and wants and nxt:
                inline = texts[i + 1]
                used.append(i + 1)
            parsed.flags.append(Flag(name, inline, tuple(used), word if len(pieces) == 1 else flag))
        i = used[-1] + 1
    return parsed


def learn_arity(words: Sequence[Word], aliases: dict[str, str]) -> dict[str, Arity]:
    """Which flags of the expected command take a value: "value", "switch" or "either"."""
    arity: dict[str, Arity] = {}

    def note(name: str, seen: Arity) -> None:
        old = arity.get(name)
        if old is None or old == "either" or (old == "switch" and seen == "value"):
            arity[name] = seen

    for i, w in enumerate(words):
        word = w.text
        if word == "--":
            break
        if not w.flag:
            continue
        pieces = _pieces(word, aliases, {}, "switch")
        for n, (flag, value, _open) in enumerate(pieces):
            name = _canon(flag, aliases)
            if value is not None:
                note(name, "value")
            elif (
                n == len(pieces) - 1
                and i + 1 < len(words)
                and not words[i + 1].flag
                and words[i + 1].text != "--"
            ):
                note(name, "either")
            else:
                note(name, "switch")
    return arity


def _bundle_shows(
    word: str, arity: dict[str, Arity], aliases: dict[str, str], alone: bool
) -> list[tuple[str, Arity]]:
    """What one typed bundle (`-xzf`) shows: a letter followed by letters that are all the card's
    short flags is a switch (`-fr` for `-rf`); a letter followed by anything else takes it as its
    value (`-nprod`); the last letter is a switch when nothing follows the bundle (`alone`)."""
    shows: list[tuple[str, Arity]] = []
    for k in range(1, len(word)):
        name = _canon("-" + word[k], aliases)
        takes = arity.get(name)
        rest = word[k + 1 :]
        if takes == "value" and rest:
            break
        if takes != "either":
            continue
        if not rest:
            if alone:
                shows.append((name, "switch"))
        elif all(_canon("-" + c, aliases) in arity for c in rest):
            shows.append((name, "switch"))
        else:
            shows.append((name, "value"))
            break
    return shows


def settle_arity(arity: dict[str, Arity], typed: Sequence[Word], aliases: dict[str, str]) -> dict[str, Arity]:
    """The expected command's arity with no "either" left: the typed answer decides what it shows
    (`--ns=x` takes a value; a flag followed by a flag, or last, or inside a bundle of the card's
    short flags, does not); every other flag takes the word after it."""
    if "either" not in arity.values():
        return arity
    settled = dict(arity)
    for i, w in enumerate(typed):
        word = w.text
        if word == "--":
            break
        if not w.flag:
            continue
        alone = i + 1 == len(typed) or typed[i + 1].flag or typed[i + 1].text == "--"
        shows: list[tuple[str, Arity]] = []
        name, eq, _value = word.partition("=")
        if word.startswith("--") or word in aliases or len(name) == 2 or name in aliases:
            if eq:
                shows.append((name, "value"))
            elif alone:
                shows.append((name, "switch"))
        elif not eq:
            shows = _bundle_shows(word, settled, aliases, alone)
        for flag, seen in shows:
            flag = _canon(flag, aliases)
            if settled.get(flag) == "either":
                settled[flag] = seen
    for flag, takes in settled.items():
        if takes == "either":
            settled[flag] = "value"  # written before a plain word on the card: it takes that word
    return settled
