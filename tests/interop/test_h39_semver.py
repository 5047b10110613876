"""Deck versions order as SemVer 2.0.0 §11 says, pre-release identifiers included.

A pre-release was compared as one piece of text, so `1.0.0-rc.10` was "older" than `1.0.0-rc.9`
(its upgrade refused without `--force`) and `rc.2` over `rc.10` went through as an upgrade. §11:
identifiers made only of digits compare as numbers, a numeric one sorts before an alphanumeric
one, alphanumeric ones compare as ASCII text, and a longer list of identifiers sorts after a
shorter one it starts with; build metadata (`+...`) is ignored. The lax versions retain has always
taken (`1.0`, `v1.2`, `1.0.0-rc1`, digits past `int()`) keep working.
"""

from __future__ import annotations

import functools
import itertools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.interop.upgrade import compare_versions

from .conftest import run_cli

SPEC_CHAIN = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
]


def spec_compare(a: str, b: str) -> int:
    """SemVer 2.0.0 §11 precedence of two strict versions, written from the spec's text alone."""

    def split(version: str) -> tuple[list[int], list[str] | None]:
        version = version.split("+", 1)[0]  # §10: build metadata is ignored
        core, dash, pre = version.partition("-")
        return [int(n) for n in core.split(".")], (pre.split(".") if dash else None)

    (core_a, pre_a), (core_b, pre_b) = split(a), split(b)
    if core_a != core_b:  # §11.2: major, minor, patch, numerically
        return -1 if core_a < core_b else 1
    if pre_a is None or pre_b is None:  # §11.3: a pre-release has lower precedence
        return (pre_a is None) - (pre_b is None)
    for x, y in zip(pre_a, pre_b, strict=False):  # §11.4
        if x == y:
            continue
        if x.isdigit() and y.isdigit():
            return -1 if int(x) < int(y) else 1
        if x.isdigit() or y.isdigit():
            return -1 if x.isdigit() else 1
        return -1 if x < y else 1
    return (len(pre_a) > len(pre_b)) - (len(pre_a) < len(pre_b))


@pytest.mark.parametrize("i", range(len(SPEC_CHAIN) - 1))
def test_the_specs_own_chain_is_in_order(i: int) -> None:
    a, b = SPEC_CHAIN[i], SPEC_CHAIN[i + 1]
    assert compare_versions(a, b) == -1
    assert compare_versions(b, a) == 1


def test_every_pair_of_the_chain_compares_by_its_place() -> None:
    for i, a in enumerate(SPEC_CHAIN):
        for j, b in enumerate(SPEC_CHAIN):
            assert compare_versions(a, b) == (i > j) - (i < j), (a, b)


PAIRS = [
    ("1.0.0-rc.9", "1.0.0-rc.10", -1),  # the attack's: numbers, not text
    ("1.0.0-rc.2", "1.0.0-rc.10", -1),
    ("1.0.0-beta.11", "1.0.0-beta.2", 1),
    ("1.0.0-1", "1.0.0-alpha", -1),  # numeric before alphanumeric
    ("1.0.0-999", "1.0.0-0a", -1),
    ("1.0.0-alpha", "1.0.0-alpha.0", -1),  # a longer list after the shorter it starts with
    ("1.0.0-a.b.c", "1.0.0-a.b", 1),
    ("1.0.0-Z", "1.0.0-a", -1),  # ASCII order: upper case first
    ("1.0.0-x-y", "1.0.0-x", 1),  # a hyphen inside an identifier
    ("1.0.0-rc.1+build.5", "1.0.0-rc.1+build.6", 0),  # build metadata ignored
    ("1.0.0+20130313144700", "1.0.0", 0),
    ("1.0.0-rc.1+a", "1.0.0", -1),
    ("2.0.0-rc.1", "1.9.9", 1),  # the release numbers first
]


@pytest.mark.parametrize(("a", "b", "expected"), PAIRS, ids=range(len(PAIRS)))
def test_pre_release_identifiers_compare_as_semver_says(a: str, b: str, expected: int) -> None:
    assert compare_versions(a, b) == expected
    assert compare_versions(b, a) == -expected
    assert spec_compare(a, b) == expected  # (the reference agrees with the cases)


LAX = [
    ("1.0", "1.0.0", 0),  # missing parts are 0
    ("v1.2.0", "1.2.0", 0),  # a leading v
    (" 1.2.0 ", "1.2.0", 0),
    ("1.0.0-rc1", "1.0.0", -1),  # a pre-release without a dot
    ("1.0.0-rc1", "1.0.0-rc2", -1),
    ("1.0-rc.2", "1.0.0-rc.10", -1),  # padded before the pre-release is compared
    ("1.0.0-rc.01", "1.0.0-rc.1", 0),  # leading zeros (not strict SemVer) read as the number
    ("1.0.0-rc." + "9" * 5000, "1.0.0-rc.9", 1),  # no int(): 4300 digits and more
    ("1.0.0-rc." + "9" * 5000, "1.0.0-rc." + "9" * 5000, 0),
    ("1.0.0-rc.²", "1.0.0-rc.99", 1),  # `²` is no ASCII digit: alphanumeric, after any number
    ("1.0.0-", "1.0.0", 0),  # an empty pre-release is none (as before)
    ("1.0.0-rc..1", "1.0.0-rc.0", 1),  # an empty identifier: text, so after any number
    ("1.a", "1.0", 1),  # text in the release numbers: after 0, before 1 (as before)
    ("1.a", "1.1", -1),
    ("1.2.3.4", "1.2.3", 1),  # more than three numbers
    ("", "1.0.0-rc.1", 0),  # no version: never refused
]


@pytest.mark.parametrize(("a", "b", "expected"), LAX, ids=range(len(LAX)))
def test_the_lax_versions_retain_takes_still_compare(a: str, b: str, expected: int) -> None:
    assert compare_versions(a, b) == expected
    assert compare_versions(b, a) == -expected


_NUMBER = st.one_of(st.integers(0, 12), st.integers(0, 10**25)).map(str)
_ALNUM = st.one_of(
    st.sampled_from(["alpha", "beta", "rc", "a", "A", "Z", "z", "-", "x-y", "rc1", "0a", "1-"]),
    st.from_regex(r"[0-9A-Za-z-]{0,5}[A-Za-z-][0-9A-Za-z-]{0,5}", fullmatch=True),
)
_IDENT = st.one_of(_NUMBER, _ALNUM)
_PRE = st.lists(_IDENT, min_size=1, max_size=4).map(".".join)
_BUILD = st.lists(st.from_regex(r"[0-9A-Za-z-]{1,6}", fullmatch=True), min_size=1, max_size=3).map(".".join)
_CORE = st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)).map(
    lambda t: ".".join(map(str, t))
)


@st.composite
def semver(draw: st.DrawFn) -> str:
    """A strict SemVer 2.0.0 version, drawn so that pairs often share their start."""
    version = draw(_CORE)
    if draw(st.booleans()):
        version += "-" + draw(_PRE)
    if draw(st.integers(0, 3)) == 0:
        version += "+" + draw(_BUILD)
    return version


@given(semver(), semver())
def test_any_two_strict_versions_compare_as_the_spec_says(a: str, b: str) -> None:
    assert compare_versions(a, b) == spec_compare(a, b)


@given(st.lists(semver(), min_size=2, max_size=8))
def test_sorting_by_it_sorts_as_the_spec_does(versions: list[str]) -> None:
    ours = sorted(versions, key=functools.cmp_to_key(compare_versions))
    assert all(spec_compare(a, b) <= 0 for a, b in itertools.pairwise(ours))


_LAX_PART = st.one_of(_NUMBER, st.sampled_from(["rc1", "a", "²", "00", "007", ""]))
_LAX = st.builds(
    lambda core, pre, build: core + pre + build,
    st.lists(_LAX_PART, min_size=1, max_size=4).map(".".join),
    st.one_of(st.just(""), st.lists(_LAX_PART, min_size=1, max_size=3).map(lambda p: "-" + ".".join(p))),
    st.sampled_from(["", "+b", "+1.2"]),
)


@given(_LAX, _LAX, _LAX)
def test_any_versions_order_consistently(a: str, b: str, c: str) -> None:
    """An order for anything typed: antisymmetric, and transitive (an upgrade path is never a loop)."""
    assert compare_versions(a, b) == -compare_versions(b, a)
    if compare_versions(a, b) <= 0 and compare_versions(b, c) <= 0:
        assert compare_versions(a, c) <= 0


def _deck(path: Path, version: str, back: str) -> Path:
    path.write_text(
        f'format = 1\n[deck]\nid = "sv"\nversion = "{version}"\n'
        f'[[cards]]\nid = "a"\nfront = "A?"\nback = "{back}"\n',
        encoding="utf-8",
    )
    return path


def test_rc10_upgrades_rc9_and_rc2_over_rc10_is_refused(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "import", str(_deck(tmp_path / "rc9.toml", "1.0.0-rc.9", "nine")))[0] == 0
    code, out, err = run_cli(capsys, "import", str(_deck(tmp_path / "rc10.toml", "1.0.0-rc.10", "ten")))
    assert (code, err) == (0, "")
    assert "deck sv: 1.0.0-rc.9 -> 1.0.0-rc.10: 0 added, 1 changed" in out
    assert 'back = "ten"' in (home / "decks" / "sv.toml").read_text(encoding="utf-8")
    code, out, err = run_cli(capsys, "import", str(_deck(tmp_path / "rc2.toml", "1.0.0-rc.2", "two")))
    assert code == 1
    assert "the file has version 1.0.0-rc.2, older than the installed 1.0.0-rc.10" in err
    assert 'back = "ten"' in (home / "decks" / "sv.toml").read_text(encoding="utf-8")
    assert run_cli(capsys, "import", "--force", str(tmp_path / "rc2.toml"))[0] == 0
    assert 'back = "two"' in (home / "decks" / "sv.toml").read_text(encoding="utf-8")
