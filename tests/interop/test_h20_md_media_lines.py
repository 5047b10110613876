"""The line a `.md` image warning names is found in one pass over the card, not once per image.

`ImageImporter._line` searched the card's lines from the top for each image reference: 20,000
references in one card took 18 s before the field-size refusal could say anything.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path

from retain.interop.limits import Limits
from retain.interop.markdown import read_markdown

LIMITS = Limits(max_field_chars=10_000_000)
SMALL = 2_000  # references: the big card has 4 times as many, one per line


def _read(tmp_path: Path, n: int) -> tuple[float, list[str]]:
    path = tmp_path / f"deck{n}.md"
    refs = "".join(f"![i](missing-{i}.png)\n" for i in range(n))
    path.write_text(f"Q: which?\n{refs}A: none\n", encoding="utf-8")
    stage = tmp_path / f"stage{n}"
    stage.mkdir()
    best, warnings = float("inf"), []
    for _ in range(3):
        gc.collect()
        start = time.process_time()
        warnings = read_markdown(path, LIMITS, stage).warnings
        best = min(best, time.process_time() - start)
    return best, warnings


def test_image_warnings_name_their_lines_in_linear_time(tmp_path: Path) -> None:
    small, warnings = _read(tmp_path, SMALL)
    assert any(w.startswith("line 2: ") and "missing-0.png" in w for w in warnings), warnings[:3]
    assert any(w.startswith(f"line {SMALL + 1}: ") and f"missing-{SMALL - 1}.png" in w for w in warnings)
    big, _ = _read(tmp_path, 4 * SMALL)
    # linear: 4 times the references take about 4 times as long; the search per reference took 16
    assert big < 8 * max(small, 0.01), (small, big)
