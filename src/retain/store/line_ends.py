"""Line ends kept through an edit: each line a change leaves alone ends as it did in the file."""

from __future__ import annotations

from bisect import bisect_left

__all__ = ["with_line_ends"]


def with_line_ends(raw: str, text: str) -> str:
    """`text` (the document's, LF line ends) with the line ends of `raw`, the file as opened: a line
    the edit left alone ends as it did, an edited line (one put for one) as the line it replaces,
    a new line as most of the file's lines end (LF on a tie). Only the values changed are
    rewritten, as docs/settings.md promises: one CRLF line among LF ones (pasted from a Windows
    editor) made every line CRLF, and `git diff` showed the whole file changed."""
    crlf = raw.count("\r\n")
    if not crlf:
        return text
    lf = raw.count("\n") - crlf
    if not lf:
        return text.replace("\n", "\r\n")  # (one kind throughout: no lines compared)
    old = raw.split("\n")
    old_ends = ["\r\n" if part.endswith("\r") else "\n" for part in old[:-1]]
    old_lines = [part.removesuffix("\r") for part in old[:-1]] + old[-1:]
    new_lines = text.split("\n")
    ends = ["\r\n" if crlf > lf else "\n"] * (len(new_lines) - 1)
    for i, j, n in _kept_lines(old_lines, new_lines):
        for k in range(n):
            if i + k < len(old_ends) and j + k < len(ends):
                ends[j + k] = old_ends[i + k]
    return "".join(line + end for line, end in zip(new_lines, ends, strict=False)) + new_lines[-1]


def _kept_lines(old: list[str], new: list[str]) -> list[tuple[int, int, int]]:
    """(index in `old`, index in `new`, count) of the runs of lines of `old` that stand in `new`, the
    same or put one for one in the same place. A patience diff: the common start and end as they
    are, then the lines found once on each side (in order) as anchors, each gap between them the
    same way; a gap with no anchor pairs its lines by place (a value changed). Near linear:
    `difflib` took 99 s over a 600 KB file whose blank lines it compared each against each."""
    runs: list[tuple[int, int, int]] = []
    gaps = [(0, len(old), 0, len(new))]
    while gaps:
        lo1, hi1, lo2, hi2 = gaps.pop()
        while lo1 < hi1 and lo2 < hi2 and old[lo1] == new[lo2]:
            lo1, lo2 = lo1 + 1, lo2 + 1
            runs.append((lo1 - 1, lo2 - 1, 1))
        while lo1 < hi1 and lo2 < hi2 and old[hi1 - 1] == new[hi2 - 1]:
            hi1, hi2 = hi1 - 1, hi2 - 1
            runs.append((hi1, hi2, 1))
        if lo1 == hi1 or lo2 == hi2:
            continue
        anchors = _anchors(old, lo1, hi1, new, lo2, hi2)
        if not anchors:
            runs.append((lo1, lo2, min(hi1 - lo1, hi2 - lo2)))
            continue
        at1, at2 = lo1, lo2
        for i, j in anchors:
            gaps.append((at1, i, at2, j))
            runs.append((i, j, 1))
            at1, at2 = i + 1, j + 1
        gaps.append((at1, hi1, at2, hi2))
    return runs


def _anchors(old: list[str], lo1: int, hi1: int, new: list[str], lo2: int, hi2: int) -> list[tuple[int, int]]:
    """(i, j) of the lines found exactly once in `old[lo1:hi1]` and once in `new[lo2:hi2]`, the
    longest run of them in the same order on both sides (patience sorting)."""
    once_old = _once(old, lo1, hi1)
    once_new = _once(new, lo2, hi2)
    pairs = [(i, once_new[line]) for line, i in once_old.items() if line in once_new]
    pairs.sort()
    tails: list[int] = []  # tails[k]: the index into `pairs` ending the best run of length k + 1
    ends: list[int] = []  # the `new` index of each of them
    before: list[int] = [-1] * len(pairs)
    for n, (_i, j) in enumerate(pairs):
        k = bisect_left(ends, j)
        if k:
            before[n] = tails[k - 1]
        if k == len(tails):
            tails.append(n)
            ends.append(j)
        else:
            tails[k], ends[k] = n, j
    out: list[tuple[int, int]] = []
    n = tails[-1] if tails else -1
    while n >= 0:
        out.append(pairs[n])
        n = before[n]
    return out[::-1]


def _once(lines: list[str], lo: int, hi: int) -> dict[str, int]:
    """Each line found exactly once in `lines[lo:hi]`, with its index."""
    seen: dict[str, int] = {}
    twice: set[str] = set()
    for i in range(lo, hi):
        line = lines[i]
        if line in seen:
            twice.add(line)
        else:
            seen[line] = i
    return {line: i for line, i in seen.items() if line not in twice}
