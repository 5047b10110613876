"""`retain check` on hostile decks: one short, clear line per problem, no traceback, no hang."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from retain.core.deckfile import parse_deck
from retain.core.lint import lint_deck

HEAD = 'format = 1\n[deck]\nid = "h"\nname = "H"\n'
CARD = '[[cards]]\nid = "c"\nfront = "q"\nback = "a"\n'
LONG = 2_000_000
MAX_LINE = 400  # a problem line quotes a value, never a megabyte of it

HOSTILE: dict[str, str | bytes] = {
    "long-card-id": HEAD + f'[[cards]]\nid = "{"a" * LONG}"\nfront = "q"\nback = "a"\n',
    "long-deck-id": f'format = 1\n[deck]\nid = "{"Z" * LONG}"\n',
    "long-format": f'format = "{"1" * LONG}"\n[deck]\nid = "h"\n',
    "long-unknown-card-key": HEAD + CARD + f'"{"k" * LONG}" = 1\n',
    "long-unknown-deck-key": HEAD + f'"{"k" * LONG}" = 1\n',
    "long-unknown-top-key": f'"{"k" * LONG}" = 1\n' + HEAD,
    "long-kind": HEAD + f'[[cards]]\nid = "c"\nkind = "{"k" * LONG}"\nfront = "q"\nback = "a"\n',
    "long-markdown-back": HEAD
    + f'[[cards]]\nid = "c"\nkind = "typed"\nfront = "q"\nback = "# {"x" * LONG}"\n',
    "long-cloze-answer": HEAD
    + f'[[cards]]\nid = "c"\nkind = "cloze"\ntext = "{"w" * 5000} and {{{{c1::{"w" * 5000}}}}}"\n',
    "nested-arrays": HEAD + CARD + "tags = " + "[" * 100_000 + "]" * 100_000 + "\n",
    "nested-tables": HEAD + CARD + "x = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n",
    "duplicate-ids": HEAD + CARD * 20_000,
    "cards-100k": HEAD
    + "".join(f'[[cards]]\nid = "c{i}"\nfront = "q{i}"\nback = "a"\n' for i in range(100_000)),
    "huge-string": HEAD + f'[[cards]]\nid = "c"\nfront = "q"\nback = "a"\nextra = "{"x" * 9_000_000}"\n',
    "not-utf8": (HEAD + '[[cards]]\nid = "c"\nfront = "caf\xe9"\nback = "a"\n').encode("latin-1"),
    "utf16": (HEAD + CARD).encode("utf-16"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_check_says_each_problem_in_one_short_line(tmp_path: Path, name: str) -> None:
    content = HOSTILE[name]
    path = tmp_path / f"{name}.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    retain = Path(sys.executable).with_name("retain")
    env = {**os.environ, "RETAIN_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [str(retain), "check", str(path)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode in (0, 1), done.stderr
    lines = done.stdout.splitlines()
    assert all(line.startswith(str(path)) for line in lines), done.stdout[:500]
    assert all(len(line) <= len(str(path)) + MAX_LINE for line in lines), [line[:200] for line in lines]


def test_a_long_value_is_quoted_in_part() -> None:
    """A 2 MB card id made a 2 MB error line; its start is quoted, and the line says how long it is."""
    result = parse_deck(HEAD + f'[[cards]]\nid = "{"a" * 5000}"\nfront = "q"\nback = "a"\n')
    (problem,) = result.errors
    assert problem.message.startswith("card id 'aaaa") and "…" in problem.message
    assert "5,000 characters" in problem.message and len(problem.message) < 250
    deck = parse_deck(
        HEAD + '[[cards]]\nid = "c"\nkind = "typed"\nfront = "q"\nback = "# ' + "x" * 5000 + '"\n'
    ).deck
    assert deck is not None
    warning = next(w for w in lint_deck(deck) if "Markdown reads" in w.message)
    assert len(warning.message) < 400 and "…" in warning.message
