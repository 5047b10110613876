"""Every validator of an id, key, name or number refuses a value ending in a newline.

`re.match` with a pattern ending in `$` also matches just before a final
newline, so `id = "kafka\\n"` passed `retain check`, sat beside a real "kafka"
deck, and crashed the app on the first rating; a unit key with a newline
would have broken its journal record.
"""

from __future__ import annotations

import re

import pytest

from retain.core import ids, mediaref, search
from retain.core.deckfile import parse_deck
from retain.interop import html, media
from retain.interop.anki import ankinote
from retain.store.state import backup, device, journal_format, snapshot, statecodec
from retain.ui import settings_fields
from retain.ui.screens import settings

VALIDATORS: list[tuple[re.Pattern[str], str]] = [
    (ids.ID_RE, "kafka"),
    (statecodec.KEY_RE, "kafka/isr:c1"),
    (statecodec._SAFE_RE, "kafka/isr"),
    (device._ID_RE, "0d8c0ed9b0f8"),
    (snapshot._DEVICE_RE, "0d8c0ed9b0f8"),
    (snapshot._CHECK_RE, "7ca4dad9"),
    (journal_format.JOURNAL_NAME_RE, "journal-2026-11.toml"),
    (backup._DAY_RE, "2026-11-28"),
    (mediaref._HASH, "0" * 64),
    (media._EXT_RE, "png"),
    (html._MEDIA_SRC, "kafka.media/a.png"),
    (ankinote._RETAIN_GUID, "kafka/isr"),
    (settings_fields._INT_RE, "12"),
    (settings._PRESET_NAME_RE, "fast"),
    (search._PROP_RE, "r<0.9"),
]


@pytest.mark.parametrize(("pattern", "good"), VALIDATORS, ids=[p.pattern[:30] for p, _ in VALIDATORS])
def test_a_validator_refuses_a_trailing_newline(pattern: re.Pattern[str], good: str) -> None:
    assert pattern.search(good)
    assert not pattern.search(good + "\n")


def test_a_copy_suffix_is_not_stripped_before_a_trailing_newline() -> None:
    assert ankinote._strip_copy_suffixes("basic+") == "basic"
    assert ankinote._strip_copy_suffixes("basic+\n") == "basic+\n"


def test_toml_str_escapes_a_trailing_newline() -> None:
    assert "\n" not in statecodec.toml_str("kafka/isr\n")


@pytest.mark.parametrize(("deck_id", "card_id"), [("kafka\\n", "abc"), ("kafka", "abc\\n")])
def test_check_refuses_a_deck_or_card_id_ending_in_a_newline(deck_id: str, card_id: str) -> None:
    deck = f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "K"\n\n[[cards]]\nid = "{card_id}"\nfront = "q"\nback = "a"\n'
    result = parse_deck(deck, "kafka.toml")
    assert len(result.errors) == 1 and "is invalid" in str(result.errors[0]), [str(p) for p in result.errors]
    assert "\n" not in str(result.errors[0])  # one line
    assert not ids.is_valid_id("kafka\n")


def test_a_deck_glob_does_not_match_across_a_newline() -> None:
    assert not search._glob("kafka")("kafka\n")
