"""Variants of one answer that are not typos: compounds written apart, joined or hyphenated, a
plural, a British or American spelling.

`compound_forms` gives the forms a hyphen between two letters may take (`fault-tolerant`,
`fault tolerant`, `faulttolerant`): an answer is right in any of them, but a hyphen after
`re-`, `co-` or `un-` left out (`resign` for `re-sign`, `coop` for `co-op`) is only close: it
may make another word (`hyphen_note`). A plural (`pods` for
`pod`) or the other side of the Atlantic's spelling (`colour` for `color`, `optimise` for
`optimize`) is a near miss that says so (`variant_note`): the study screen shows the card's
spelling and the learner may rate Good. The spelling rules are the regular ones (-our/-or,
-ise/-ize, -yse/-yze, -tre/-ter, -ogue/-og, -elled/-eled) and a short list of common words;
nothing is guessed beyond them. Inputs are `normalise`d text. Pure: no I/O.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["HYPHEN_NOTE", "compound_forms", "hyphen_note", "initials", "same_compound", "variant_note"]

# A hyphen between two letters (not digits: `20-50` is a range, `x-1` is not `x1`).
_LETTER_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
_WORD = re.compile(r"[^\W\d_]+")

_WORDS = {
    "grey": "gray",
    "greys": "grays",
    "programme": "program",
    "programmes": "programs",
    "licence": "license",
    "licences": "licenses",
    "defence": "defense",
    "defences": "defenses",
    "offence": "offense",
    "offences": "offenses",
    "pretence": "pretense",
    "judgement": "judgment",
    "judgements": "judgments",
    "artefact": "artifact",
    "artefacts": "artifacts",
    "aluminium": "aluminum",
    "tyre": "tire",
    "tyres": "tires",
    "sceptical": "skeptical",
    "ageing": "aging",
    "mould": "mold",
    "plough": "plow",
    "manoeuvre": "maneuver",
    "enrol": "enroll",
    "enrolment": "enrollment",
    "fulfil": "fulfill",
    "fulfilment": "fulfillment",
    "practise": "practice",
    "cheque": "check",
    "storey": "story",
    "kerb": "curb",
    "draught": "draft",
}
_RULES = (
    # colour, favourite, behaviours, neighbourhood (not four, hour, tour: two letters before -our)
    (re.compile(r"^([^\W\d_]{2,})our(s|ed|ing|ite|ites|able|al|ful|less|hood|er|ers)?$"), r"\1or\2"),
    # optimise, serialisation, initialised, organiser
    (re.compile(r"^([^\W\d_]{2,})is(e|es|ed|ing|er|ers|ation|ations|able)$"), r"\1iz\2"),
    # analyse, paralysing
    (re.compile(r"^([^\W\d_]{3,})ys(e|es|ed|ing|er|ers)$"), r"\1yz\2"),
    # centre, metres, fibre
    (re.compile(r"^([^\W\d_]{2,}[tb])re(s?)$"), r"\1er\2"),
    # catalogue, dialogues
    (re.compile(r"^([^\W\d_]{3,})ogue(s?)$"), r"\1og\2"),
    # travelled, cancelling, modeller, signalled (not filled, spelled: a consonant before the vowel)
    (re.compile(r"^([^\W\d_]{2,}[^\W\d_aeiou][ae])ll(ed|ing|er|ers)$"), r"\1l\2"),
)


# A hyphen after the prefixes that, left out, make other words (`re-sign` and `resign`,
# `re-cover`, `re-form`, `re-lease`, `co-op` and `coop`, `un-ionized`). Others join freely:
# `email` for `e-mail`, `nonblocking` for `non-blocking`, `precommit` for `pre-commit`.
_SHORT_PREFIX = re.compile(r"(?<![^\W\d_])(?:re|co|un)-(?=[^\W\d_])", re.IGNORECASE)
HYPHEN_NOTE = "a hyphen differs: it may make another word"


def compound_forms(text: str) -> tuple[str, ...]:
    """`text`, and when a hyphen joins two letters, the same with those hyphens as spaces and
    with them left out: `fault-tolerant`, `fault tolerant`, `faulttolerant`. Not left out after
    `re-`, `co-` or `un-` (`re-sign` is not `resign`: see `hyphen_note`)."""
    if "-" not in text:
        return (text,)
    spaced = _LETTER_HYPHEN.sub(" ", text)
    if spaced == text:
        return (text,)
    if _SHORT_PREFIX.search(text) is not None:
        return (text, spaced)
    return (text, spaced, _LETTER_HYPHEN.sub("", text))


def same_compound(a: str, b: str) -> bool:
    """Whether two `normalise`d answers differ only in how a hyphenated compound is written."""
    if a == b:
        return True
    if "-" not in a and "-" not in b:
        return False
    return not set(compound_forms(a)).isdisjoint(compound_forms(b))


def hyphen_note(a: str, b: str) -> str:
    """`HYPHEN_NOTE` when two `normalise`d answers differ only in hyphens left out after `re-`,
    `co-` or `un-` (`resign` for `re-sign`, `coop` for `co-op`, or the other way), which
    `compound_forms` does not take as the same answer; else ""."""
    if ("-" not in a and "-" not in b) or a == b:
        return ""
    if _LETTER_HYPHEN.sub("", a) != _LETTER_HYPHEN.sub("", b) or same_compound(a, b):
        return ""
    return HYPHEN_NOTE


@lru_cache(maxsize=4096)
def _american(word: str) -> str:
    hit = _WORDS.get(word)
    if hit is not None:
        return hit
    if len(word) < 5:
        return word
    for rule, repl in _RULES:
        if rule.match(word):
            return rule.sub(repl, word)
    return word


def _plural_pair(a: str, b: str) -> bool:
    one, many = (a, b) if len(a) < len(b) else (b, a)
    if len(one) < 3:
        return False
    if many == one + "s":
        return not one.endswith("s")
    if many == one + "es":
        return one.endswith(("s", "x", "z", "ch", "sh"))
    return one.endswith("y") and many == one[:-1] + "ies"


@lru_cache(maxsize=256)
def _capitals(*texts: str) -> frozenset[str]:
    """Words written in capitals (acronyms: `HTTP`, `DNS`), case-folded."""
    return frozenset(w.casefold() for t in texts for w in _WORD.findall(t) if len(w) > 1 and w.isupper())


def initials(text: str) -> str:
    """The first letter of each word of a `normalise`d answer: a variant keeps them (a cheap
    filter before `variant_note`)."""
    return "".join(w[:1] for w in _LETTER_HYPHEN.sub(" ", text).split(" "))


def variant_note(typed: str, expected: str, typed_raw: str = "", expected_raw: str = "") -> str:
    """How two `normalise`d answers differ when every differing word is the other's plural or
    its British/American spelling: "singular/plural differs", "British/American spelling
    differs" (or both, joined); "" when they differ otherwise. The raw texts (before case was
    folded) keep acronyms out: `HTTPS` is no plural of `HTTP`."""
    if typed == expected:
        return ""
    joined = hyphen_note(typed, expected)
    if joined:
        return joined
    a = _LETTER_HYPHEN.sub(" ", typed).split(" ")
    b = _LETTER_HYPHEN.sub(" ", expected).split(" ")
    if len(a) != len(b) or len(a) > 50:
        return ""
    kinds: set[str] = set()
    for x, y in zip(a, b, strict=True):
        if x == y:
            continue
        if not (x.isalpha() and y.isalpha()):
            return ""
        us_x, us_y = _american(x), _american(y)
        if us_x == us_y:
            kinds.add("spelling")
            continue
        if _plural_pair(us_x, us_y) and not {x, y} & _capitals(typed_raw, expected_raw):
            # (an acronym's `s` is no plural: `HTTPS` is not more than one `HTTP`)
            kinds.add("plural")
            if x != us_x or y != us_y:
                kinds.add("spelling")
            continue
        return ""
    notes = []
    if "plural" in kinds:
        notes.append("singular/plural differs")
    if "spelling" in kinds:
        notes.append("British/American spelling differs")
    return "; ".join(notes)
