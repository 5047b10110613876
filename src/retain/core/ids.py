"""Card and deck ids: allowed characters and generated ids for `check --fix`."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["ID_RE", "is_valid_id", "make_card_id", "slugify"]

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")
MAX_ID_LEN = 64


def is_valid_id(value: str) -> bool:
    return len(value) <= MAX_ID_LEN and bool(ID_RE.match(value))


def slugify(text: str, max_words: int = 5) -> str:
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", norm.lower())
    stop = {"the", "a", "an", "of", "is", "what", "how", "does", "do", "in", "to", "and", "which"}
    kept = [w for w in words if w not in stop] or words
    return "-".join(kept[:max_words])[:40].strip("-") or "card"


def make_card_id(
    front: str, taken: set[str] | frozenset[str] = frozenset(), hints: dict[str, int] | None = None
) -> str:
    """A slug of the front (cloze markup reduced to its answers) plus a short hash, unique among `taken`.

    `hints` (a dict kept by a caller that adds each id to `taken`) makes the same
    ids faster: past the first clashes, a front's salts up to the one its last id
    took are all taken already, so the search starts after it.
    """
    import hashlib  # (generating ids is rare: reading them, on every start, needs neither)

    from retain.core.cloze import CLOZE_RE

    slug = slugify(CLOZE_RE.sub(lambda m: m[2], front))
    salt = 0
    while True:
        digest = hashlib.sha1(f"{front}\0{salt}".encode()).hexdigest()[:6]
        candidate = f"{slug}-{digest}"
        if candidate not in taken:
            if hints is not None and salt > 8:
                hints[front] = salt + 1
            return candidate
        # After a few clashes, jump past the salts earlier calls used: counting up from 0 again
        # for each of 20,000 equal fronts was quadratic (a Markdown import never finished).
        # One chance clash of 6 hex digits then pushed every later equal front one salt
        # further, and the pushes added up (40,000 equal fronts: 22 hashes each): `hints`.
        if salt < 8:
            salt += 1
        else:
            salt = max(salt + 1, len(taken), hints.get(front, 0) if hints is not None and salt == 8 else 0)
