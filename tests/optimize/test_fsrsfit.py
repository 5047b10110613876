"""The optimizer's input rules and fit (core.fsrsfit) on synthetic and hostile histories."""

from __future__ import annotations

import random
import re
import time

import fsrs_rs_python as rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from optimize_synth import TRUE_WEIGHTS, synthetic_rows

from retain.core.fsrsfit import (
    DEFAULT_WEIGHTS,
    MAX_SEQ,
    FitError,
    HistoryRow,
    card_histories,
    delta_days,
    evaluate,
    fit,
    onto_bounds,
    training_set,
)

_REVIEW_RE = re.compile(r"rating: (\d+), delta_t: (\d+)")


def R(
    key: str, rating: int, day: int, *, new: bool = False, kind: str = "review", to_new: bool = False
) -> HistoryRow:
    return HistoryRow(key, day, kind == "review", rating if kind != "reset" else 0, day, new, to_new)


def seqs(
    rows: list[HistoryRow], keep: object = None, since: int | None = None
) -> list[list[tuple[int, int]]]:
    data = training_set(rows, (lambda k: True) if keep is None else keep, since)  # type: ignore[arg-type]
    # FSRSReview has no Python attributes; its repr is `FSRSReview { rating: 3, delta_t: 2 }`
    return [[(int(a), int(b)) for a, b in _REVIEW_RE.findall(repr(item))] for item in data.items]


def test_fitted_weights_predict_a_synthetic_history_better_than_the_defaults() -> None:
    rows = synthetic_rows(cards=1500, reviews_per_card=6)
    data = training_set(rows, lambda k: True)
    assert data.cards == 1500 and len(data.items) == 1500 * 6
    result = fit(data.items, None)
    assert result.better
    assert result.after.log_loss < result.before.log_loss
    assert result.after.rmse < result.before.rmse
    truth = evaluate(TRUE_WEIGHTS, data.items)
    # closer to the truth than the defaults are
    assert abs(result.after.log_loss - truth.log_loss) < abs(result.before.log_loss - truth.log_loss)
    assert result.weights != DEFAULT_WEIGHTS and len(result.weights) == 21


def test_fit_keeps_current_weights_when_not_better() -> None:
    data = training_set(synthetic_rows(cards=1500, reviews_per_card=6, seed=3), lambda k: True)
    first = fit(data.items, None)
    second = fit(data.items, first.weights)  # already fitted: a refit is not better
    assert not second.better and second.weights == first.weights


def test_few_reviews_fit_only_the_first_weights_as_fsrs_rs_does() -> None:
    data = training_set(synthetic_rows(cards=70, reviews_per_card=4), lambda k: True)
    assert data.reviews < 1000
    result = fit(data.items, None)
    fitted = rs.FSRS(list(DEFAULT_WEIGHTS)).compute_parameters(data.items)
    assert fitted[4:] == pytest.approx(list(DEFAULT_WEIGHTS[4:]))
    assert result.after.log_loss <= result.before.log_loss or not result.better


def test_same_day_reviews_have_zero_delta_and_make_no_item() -> None:
    rows = [R("d/a", 1, 10, new=True), R("d/a", 3, 10), R("d/a", 3, 11), R("d/a", 2, 11), R("d/a", 3, 15)]
    assert seqs(rows) == [
        [(1, 0), (3, 0), (3, 1)],
        [(1, 0), (3, 0), (3, 1), (2, 0), (3, 4)],
    ]


def test_reset_to_new_drops_earlier_reviews_and_other_kinds_are_not_reviews() -> None:
    rows = [
        R("d/a", 3, 1, new=True),
        R("d/a", 3, 5),
        R("d/a", 0, 6, kind="reset", to_new=True),  # forget
        R("d/a", 4, 8, new=True),
        R("d/a", 0, 9, kind="reset"),  # a move or reschedule: not a review, no cut
        R("d/a", 0, 9),  # no rating (a suspend, bury or leech mark would look like this): left out
        R("d/a", 7, 9),  # nor a rating out of range
        R("d/a", 3, 12),
    ]
    assert seqs(rows) == [[(4, 0), (3, 4)]]


def test_deleted_suspended_and_unselected_cards_are_left_out() -> None:
    rows = [R(k, 3, 1, new=True) for k in ("d/a", "d/b", "d/c")]
    rows += [R(k, 3, 4) for k in ("d/a", "d/b", "d/c")]
    rows.sort(key=lambda r: (r.key, r.day))
    assert len(seqs(rows, keep=lambda k: k == "d/b")) == 1


def test_ignore_reviews_before_a_date_drops_cards_started_before_it() -> None:
    rows = [R("d/old", 3, 1, new=True), R("d/old", 3, 20), R("d/old", 3, 40)]
    rows += [R("d/new", 3, 25, new=True), R("d/new", 3, 30)]
    rows.sort(key=lambda r: (r.key, r.day))
    assert seqs(rows, since=10) == [[(3, 0), (3, 5)]]
    assert len(seqs(rows)) == 3


def test_history_not_starting_from_new_is_left_out() -> None:
    assert seqs([R("d/a", 3, 5), R("d/a", 3, 9)]) == []  # imported state without its first review


def test_one_review_gives_a_one_line_error() -> None:
    data = training_set([R("d/a", 3, 1, new=True)], lambda k: True)
    with pytest.raises(FitError) as info:
        fit(data.items, None)
    assert "\n" not in str(info.value) and "no reviews" in str(info.value)


def test_only_same_day_reviews_give_a_one_line_error() -> None:
    rows = [R(f"d/{i}", 3, 1, new=True) for i in range(200)] + [R(f"d/{i}", 3, 1) for i in range(200)]
    rows.sort(key=lambda r: (r.key, r.day))
    with pytest.raises(FitError):
        fit(training_set(rows, lambda k: True).items, None)


def test_minimum_is_checked_after_filtering() -> None:
    rows = synthetic_rows(cards=800, reviews_per_card=5)
    assert fit(training_set(rows, lambda k: True).items, None).after  # enough before filtering...
    few = training_set(rows, lambda k: k < "synth/c000010")  # ...not after
    with pytest.raises(FitError) as info:
        fit(few.items, None)
    assert "too few reviews" in str(info.value) and "\n" not in str(info.value)


def test_a_card_reviewed_ten_thousand_times_is_capped_and_fast() -> None:
    rows = [R("d/a", 3, 0, new=True)] + [R("d/a", 3 if i % 7 else 1, 1 + i) for i in range(10_000)]
    start = time.perf_counter()
    data = training_set(rows, lambda k: True)
    assert len(data.items) == MAX_SEQ - 1
    assert max(len(i.reviews) for i in data.items) == MAX_SEQ
    assert time.perf_counter() - start < 5  # generous bound; quadratic prefixes would be 50M reviews


def test_a_library_error_is_one_line() -> None:
    items = [rs.FSRSItem([rs.FSRSReview(3, 0), rs.FSRSReview(9, 3)])] * 200
    with pytest.raises(FitError) as info:
        fit(items, None)
    assert "fsrs could not" in str(info.value) and "\n" not in str(info.value)


_row = st.tuples(
    st.sampled_from(["d/a", "d/b", "d/c"]),
    st.sampled_from([True] * 12 + [False]),  # a review (else a reset)
    st.sampled_from([1, 2, 3, 4] * 6 + [0, 5, -1]),  # rating, out of range too
    st.integers(0, 30),  # study day
    st.sampled_from([True] * 3 + [False]),  # new before
    st.booleans(),  # new after
)


def _reference(rows: list[HistoryRow], since: int | None) -> tuple[list[int], list[int]] | None:
    """The rules said another way: the counted reviews after the last forget, from the last of
    them from new (Anki's last group of learning steps), which is on or after `since`."""
    forgets = [i for i, r in enumerate(rows) if not r.review and r.after_new]
    rest = [r for r in rows[forgets[-1] + 1 if forgets else 0 :] if r.review and 1 <= r.rating <= 4]
    starts = [i for i, r in enumerate(rest) if r.before_new]
    if not starts:
        return None
    rest = rest[starts[-1] :]
    if since is not None and rest[0].day < since:
        return None
    return [r.day for r in rest], [r.rating for r in rest]


@settings(max_examples=300)
@given(st.lists(_row, max_size=30), st.one_of(st.none(), st.integers(0, 30)))
def test_card_histories_follow_the_rules(
    raw: list[tuple[str, bool, int, int, bool, bool]], since: int | None
) -> None:
    rows = sorted(
        (HistoryRow(k, i, rv, r, d, bn, an) for i, (k, rv, r, d, bn, an) in enumerate(raw)),
        key=lambda r: (r.key, r.time),
    )
    expected = []
    for key in sorted({r.key for r in rows}):
        found = _reference([r for r in rows if r.key == key], since)
        if found is not None:
            expected.append((key, *found))
    assert list(card_histories(rows, since)) == expected


def test_delta_days_never_go_negative() -> None:
    assert delta_days([3, 3, 5, 4, 9]) == [0, 0, 2, 0, 5]


def _all_again_rows(cards: int, length: int, seed: int = 1) -> list[HistoryRow]:
    """A learner who only ever pressed Again: one or two reviews a day, for months."""
    rng = random.Random(seed)
    rows: list[HistoryRow] = []
    for c in range(cards):
        day = 1000 + rng.randrange(20)
        for i in range(length):
            rows.append(HistoryRow(f"d/c{c:05d}", i, True, 1, day, i == 0, False))
            day += rng.choice((0, 1, 1))
    return rows


def test_a_weight_fitted_to_an_fsrs_bound_is_kept() -> None:
    """fsrs-rs works in float32: a weight fitted to its upper bound 0.8 came back as
    0.800000011920929 and the fit was refused as "fsrs returned unusable weights"."""
    data = training_set(_all_again_rows(100, 100), lambda _key: True)
    result = fit(data.items, None)
    assert result.weights[20] == 0.8
    assert onto_bounds([*DEFAULT_WEIGHTS[:20], 0.800000011920929]) == [*DEFAULT_WEIGHTS[:20], 0.8]
    assert onto_bounds([*DEFAULT_WEIGHTS[:20], 0.0999999]) == [*DEFAULT_WEIGHTS[:20], 0.1]
    assert onto_bounds([*DEFAULT_WEIGHTS[:20], 0.81])[20] == 0.81  # further out: refused, not moved
