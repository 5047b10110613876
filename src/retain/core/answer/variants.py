"""Variants of one answer that are not typos: compounds written apart, joined or hyphenated, a
plural, a British or American spelling.

`compound_forms` gives the forms a hyphen between two letters may take (`fault-tolerant`,
`fault tolerant`, `faulttolerant`): an answer is right in any of them. A plural (`pods` for
`pod`) or the other side of the Atlantic's spelling (`colour` for `color`, `optimise` for
`optimize`) is a near miss that says so (`variant_note`): the study screen shows the card's
spelling and the learner may rate Good. The spelling rules are the regular ones (-our/-or,
-ise/-ize, -yse/-yze, -tre/-ter, -ogue/-og, -elled/-eled) and a short list of common words;
nothing is guessed beyond them. Inputs are `normalise`d text. Pure: no I/O.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["compound_forms", "initials", "same_compound", "variant_note"]

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


def compound_forms(text: str) -> tuple[str, ...]:
    """`text`, and when a hyphen joins two letters, the same with those hyphens as spaces and
    with them left out: `fault-tolerant`, `fault tolerant`, `faulttolerant`."""
    if "-" not in text:
        return (text,)
    spaced = _LETTER_HYPHEN.sub(" ", text)
    if spaced == text:
        return (text,)
    return (text, spaced, _LETTER_HYPHEN.sub("", text))


def same_compound(a: str, b: str) -> bool:
    """Whether two `normalise`d answers differ only in how a hyphenated compound is written."""
    if a == b:
        return True
    if "-" not in a and "-" not in b:
        return False
    return not set(compound_forms(a)).isdisjoint(compound_forms(b))


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
