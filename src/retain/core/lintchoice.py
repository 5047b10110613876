"""Whether a question offers its answer as one of its options, for the author lint.

"The answer appears in the question" is meant for a question that tells its answer. A choice
question lists the options and the learner must still know which one is right: `Which is
faster, TCP or UDP?` -> `UDP`, `True or false: ...` -> `True`, `Raft, Paxos or Zab?`, `Deployment
vs. StatefulSet`. An answer is offered when each place the question holds it is an option: next
to a word for "or" (`or`, `vs`, `versus`, and "or" in a few other languages), or in a comma list
that ends with one (`A, B or C`). Options joined by a slash (`TCP/UDP`) are one word to the lint
already, so they never warned. Pure, no I/O; the cost is bounded (`MAX_PLACES`).
"""

from __future__ import annotations

import re

__all__ = ["Choices"]

# A word as the lint's `_WORD_RE` reads it, or a mark that joins or ends a list of options.
_TOKEN_RE = re.compile(r"[\w/+-]+(?:\.[\w/+-]+)*+|[,;:?!()]")
_OR = frozenset(("or", "vs", "versus", "ou", "oder", "o", "u", "eller", "или"))
_ARTICLES = frozenset(("a", "an", "the"))  # `or an AP system`: the option is `AP system`
_ENDS = frozenset(";:?!()")  # where a list of options ends
MAX_OPTION_WORDS = 6  # a longer answer is no option of a choice question
MAX_LIST_WORDS = 3  # words of one option in a comma list (`A, B or C`)
MAX_PLACES = 64  # places of one answer looked at; more (a hostile front) counts as not offered


class Choices:
    """A question's words, read once, asked which answers it offers as options."""

    def __init__(self, question: str) -> None:
        self.tokens = _TOKEN_RE.findall(question.lower())
        self._places: dict[str, list[int]] | None = None

    def _where(self, word: str) -> list[int]:
        if self._places is None:
            self._places = {}
            for i, token in enumerate(self.tokens):
                self._places.setdefault(token, []).append(i)
        return self._places.get(word, [])

    def offers(self, answer: str) -> bool:
        """Whether the question holds `answer` (its words in order, a leading article left out),
        and only as one of the options it lists."""
        words = [t for t in _TOKEN_RE.findall(answer.lower()) if t[0] not in ",;:?!()"]
        while words and words[0] in _ARTICLES:
            words = words[1:]
        if not 0 < len(words) <= MAX_OPTION_WORDS:
            return False
        n, places = len(words), self._where(words[0])
        found = [i for i in places[:MAX_PLACES] if self.tokens[i : i + n] == words]
        if not found or len(places) > MAX_PLACES:
            return False
        return all(self._joined_before(i) or self._joined_after(i + n) for i in found)

    def _joined_before(self, i: int) -> bool:
        """`... or X`, `... or an X`."""
        k = i - 1
        while k >= 0 and self.tokens[k] in _ARTICLES:
            k -= 1
        return k >= 0 and self.tokens[k] in _OR

    def _joined_after(self, j: int) -> bool:
        """`X or ...`, `X, or ...`, or `X, B, C or ...`: a comma list of short options ending in "or"."""
        tokens = self.tokens
        if j < len(tokens) and tokens[j] in _OR:
            return True
        if j >= len(tokens) or tokens[j] != ",":
            return False
        words = 0
        for token in tokens[j + 1 : j + 1 + 4 * (MAX_LIST_WORDS + 1)]:
            if token in _OR:
                return True
            if token in _ENDS:
                return False
            words = 0 if token == "," else words + 1
            if words > MAX_LIST_WORDS:
                return False
        return False
