"""`retain stats --json` (the installed command) against a brute-force reference from the journals.

The home gets its history the ways a learner makes one: review sessions over 40 study days
(Again, Hard, Good, Easy, undone ratings, late-night sessions before the 4 am rollover),
ratings exactly at the study-day boundary and one microsecond before it, cram ratings (one
undone), a forget, suspends (one undone, one unsuspended), a bury taken back and one kept,
reviews from a second device folder, a history imported with `retain import --with-history`
from an export made with `retain export --with-progress`, ratings dated two days ahead (a clock
ahead), and a deck and a card deleted after their reviews. The reference reads the journals
with `tomllib` and applies docs/stats.md's definitions; the command must agree, warm and after
`cache/` is deleted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import retain.store.state.device as device_mod
from retain.core.custom_study import CustomStudy
from retain.store.collection import Collection
from retain.store.custom_session import start_custom_session
from retain.store.home import Home, open_home
from retain.store.state.progress_edits import reset_progress, set_suspended

TZ = ZoneInfo("Europe/Berlin")
ROLLOVER = 4
DAY = timedelta(days=1)
EDGES = (0, 1, 2, 4, 7, 14, 21, 30, 60, 90, 180, 365)
DECAY = 0.1542


def _deck(deck_id: str, cards: int, group: str = "", extra: str = "") -> str:
    head = f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "{deck_id.title()}"\n'
    head += f'group = "{group}"\n' if group else ""
    cards_text = "".join(f'\n[[cards]]\nid = "c{i}"\nfront = "Q{i}"\nback = "A{i}"\n' for i in range(cards))
    return head + cards_text + extra


def _retain(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RETAIN_HOME": str(root), "TZ": "Europe/Berlin"}
    done = subprocess.run(
        [sys.executable, "-m", "retain", *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done


def _study_day(t: datetime) -> date:
    return (t.astimezone(TZ) - timedelta(hours=ROLLOVER)).date()


class _Builder:
    def __init__(self, home: Home, today: date) -> None:
        self.home, self.today = home, today

    def at(self, back: int, clock: time) -> datetime:
        return datetime.combine(self.today - back * DAY, clock, TZ).astimezone(UTC)

    def session(
        self,
        when: datetime,
        n: int,
        ratings: tuple[int, ...],
        decks: tuple[str, ...] = ("alpha", "beta", "gone"),
        undo_after: int | None = None,
    ) -> None:
        col = Collection.open(self.home, when, tz=TZ, fsync=False)
        t = when
        try:
            ses = col.start_session(list(decks), when)
            for i in range(n):
                if ses.current is None:
                    break
                ses.reveal()
                ses.rate(ratings[i % len(ratings)], t, 6000 + 1000 * i)
                t += timedelta(seconds=20)
                if i == undo_after:
                    ses.undo(t)
                    t += timedelta(seconds=5)
        finally:
            col.close(t)


def _build(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime.now(UTC)
    today = _study_day(now)
    (root / "decks").mkdir(parents=True)
    cloze = '\n[[cards]]\nid = "cz"\nkind = "cloze"\ntext = "{{c1::x}} and {{c2::y}}"\n'
    (root / "decks" / "alpha.toml").write_text(_deck("alpha", 12), encoding="utf-8")
    (root / "decks" / "beta.toml").write_text(_deck("beta", 6, "Grp", cloze), encoding="utf-8")
    (root / "decks" / "gone.toml").write_text(_deck("gone", 4), encoding="utf-8")
    config = f"rollover_hour = {ROLLOVER}\n[study]\nfuzz = false\nnew_per_day = 6\n"
    (root / "config.toml").write_text(config, encoding="utf-8")
    monkeypatch.setattr(device_mod, "host_key", lambda: "computer-a")
    b = _Builder(open_home({"RETAIN_HOME": str(root)}), today)
    for back in range(40, 0, -1):
        if back in (5, 6, 20):
            continue
        ratings = (3, 1, 3, 4, 2) if back % 2 else (3, 3, 2)
        b.session(b.at(back, time(10)), 3 + back % 4, ratings, undo_after=1 if back % 7 == 0 else None)
        if back % 3 == 0:  # 03:30 the next calendar day: still study day `back`
            b.session(b.at(back - 1, time(3, 30)), 2, (3,))
    b.session(b.at(2, time(4)), 1, (3,), decks=("beta",))  # the first instant of study day 2
    b.session(b.at(2, time(3, 59, 59, 999999)), 1, (3,), decks=("beta",))  # the last of day 3
    t = b.at(4, time(12))
    col = Collection.open(b.home, t, tz=TZ, fsync=False)
    ses = start_custom_session(col, CustomStudy("cram", deck_ids=("alpha",), label="Alpha"), t)
    for rating in (1, 3, 3, 4):
        ses.reveal()
        ses.rate(rating, t, 5000)
        t += timedelta(seconds=10)
    ses.undo(t)
    col.close(t + timedelta(seconds=1))
    t = b.at(3, time(15))
    col = Collection.open(b.home, t, tz=TZ, fsync=False)
    reset_progress(col, ["alpha/c0", "alpha/c1"], t)
    set_suspended(col, ["alpha/c2", "beta/c0", "alpha/c11"], True, t)
    set_suspended(col, ["alpha/c2"], False, t + timedelta(minutes=1))
    col.close(t + timedelta(minutes=2))
    monkeypatch.setattr(device_mod, "host_key", lambda: "computer-b")
    b.session(b.at(1, time(18)), 4, (3, 1), decks=("alpha",))
    monkeypatch.setattr(device_mod, "host_key", lambda: "computer-a")
    # today's session, at 09:00 or, before then, 40 minutes ago: never dated after the bury below
    # (dated ahead, it would be the newest action, and that undo would take back its rating)
    b.session(min(b.at(0, time(9)), now - timedelta(minutes=40)), 5, (3, 1, 2), undo_after=2)
    t = now - timedelta(minutes=10)
    col = Collection.open(b.home, t, tz=TZ, fsync=False)
    # a card to suspend and bury whatever is due now (a review is due all its study day, so what
    # the earlier sessions left due depends on the time of day): beta's c2 reset to new
    reset_progress(col, ["beta/c2"], t - timedelta(seconds=1))
    ses = col.start_session(["beta"], t)
    assert ses.current is not None
    if ses.current is not None:
        ses.suspend(t)
        ses.undo(t + timedelta(seconds=1))
    if ses.current is not None:
        ses.bury(t + timedelta(seconds=2))
    if ses.current is not None:
        ses.bury(t + timedelta(seconds=3))
        ses.undo(t + timedelta(seconds=4))
    col.close(t + timedelta(seconds=5))
    b.session(now + 2 * DAY, 2, (3,), decks=("alpha",))  # the clock two days ahead
    (root / "decks" / "gone.toml").unlink()  # a deck and a card deleted: their history remains
    (root / "decks" / "alpha.toml").write_text(_deck("alpha", 11), encoding="utf-8")
    # another home's history of deck "delta", exported with progress and imported here
    src = root.parent / f"{root.name}-src"
    (src / "decks").mkdir(parents=True)
    (src / "decks" / "delta.toml").write_text(_deck("delta", 5), encoding="utf-8")
    (src / "config.toml").write_text(config, encoding="utf-8")
    monkeypatch.setattr(device_mod, "host_key", lambda: "computer-c")
    other = _Builder(open_home({"RETAIN_HOME": str(src)}), today)
    for back in (12, 11, 9, 2):
        other.session(other.at(back, time(20)), 3, (3, 1, 3), decks=("delta",))
    _retain(src, "export", "delta", "-o", str(src / "delta.toml"), "--with-progress")
    _retain(root, "import", str(src / "delta.toml"), "--with-history")


# -- the reference ------------------------------------------------------------------------------


def _state(raw: dict[str, Any] | None, t: datetime) -> dict[str, Any] | None:
    """A journal state (docs/state-format.md) with its times made absolute."""
    if raw is None:
        return None
    offset = raw.get("l", 0)
    last = None if offset is False else t + timedelta(microseconds=offset)
    base = last or t
    due = None
    if "du" in raw:
        due = base + timedelta(microseconds=raw["du"])
    elif "d" in raw:
        due = base + timedelta(seconds=raw["d"])
    return {
        "s": raw.get("s", 0),
        "S": raw.get("S"),
        "D": raw.get("D"),
        "last": last,
        "due": due,
        "suspended": raw.get("suspended", False),
        "buried": raw.get("buried_until"),
        "leech": raw.get("leech", False),
    }


def _events(root: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted((root / "state" / "devices").glob("*/journal-*.toml")):
        data = tomllib.loads(path.read_text("utf-8"))
        device = data.get("device", path.parent.name)
        for record in data.values():
            if not isinstance(record, dict):
                continue
            t = record["t"]
            ns = (t - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1) * 1000

            def full(value: Any, ns: int = ns, device: str = device) -> Any:
                return f"{device}-{ns:019d}-{value}" if isinstance(value, int) else value

            out.append(
                {
                    "id": full(record["i"]),
                    "kind": record.get("k", "review"),
                    "key": record["u"],
                    "t": t,
                    "r": record.get("r"),
                    "ms": record.get("ms", 0),
                    "b": _state(record.get("b"), t),
                    "a": _state(record.get("a"), t),
                    "x": full(record.get("x")),
                    "device": device,
                }
            )
    return out


def _ivl(s: dict[str, Any]) -> float:
    return float((s["due"] - s["last"]) / DAY)


def _bucket(edges: Any, x: float) -> int:
    return max([i for i, e in enumerate(edges) if x >= e], default=0)


def _deck_of(key: str) -> str:
    return key.partition("/")[0]


def reference(
    root: Path, now: datetime, units: list[str], decks: set[str] | None, days: int | None
) -> dict[str, Any]:
    events = _events(root)
    undone = {e["x"] for e in events if e["kind"] == "undo"}
    today = _study_day(now)
    rated = [e for e in events if e["kind"] == "review" and e["id"] not in undone]
    scoped = [e for e in rated if decks is None or _deck_of(e["key"]) in decks]
    per_day = Counter(_study_day(e["t"]) for e in scoped)
    span = days if days is not None else max(1, (today - min(per_day, default=today)).days + 1)
    first = today - (span - 1) * DAY
    period = [e for e in scoped if first <= _study_day(e["t"]) <= today]
    by_day: dict[str, Counter[str]] = {}
    buttons = {"learning": [0] * 4, "young": [0] * 4, "mature": [0] * 4}
    hours = [[0, 0] for _ in range(24)]
    added: Counter[str] = Counter()
    for e in period:
        day = _study_day(e["t"]).isoformat()
        before = e["b"]
        kind = 0 if before is None else before["s"]
        row = by_day.setdefault(day, Counter())
        row[("new", "learning", "review", "relearning")[kind]] += 1
        row["reviews"] += 1
        row["ms"] += e["ms"]
        group = "learning" if kind != 2 else "young" if _ivl(before) < 21 else "mature"
        buttons[group][e["r"] - 1] += 1
        hour = e["t"].astimezone(TZ).hour
        hours[hour][0] += 1
        hours[hour][1] += e["r"] > 1
    firsts: dict[str, date] = {}  # each card's first rating as a new card (Anki's "introduced")
    for e in sorted(scoped, key=lambda e: (e["t"], e["id"])):
        if e["b"] is None or e["b"]["s"] == 0:
            firsts.setdefault(e["key"], _study_day(e["t"]))
    added.update(d.isoformat() for d in firsts.values() if first <= d <= today)
    spans = {}
    for name, near, far in (
        ("today", 0, 0),
        ("yesterday", 1, 1),
        ("week", 0, 6),
        ("month", 0, 29),
        ("year", 0, 364),
    ):
        acc = {"young": [0, 0], "mature": [0, 0]}
        for e in scoped:
            back, before = (today - _study_day(e["t"])).days, e["b"]
            if near <= back <= far and before is not None and before["s"] == 2:
                acc["young" if _ivl(before) < 21 else "mature"][e["r"] == 1] += 1
        spans[name] = acc
    studied, streak = (today if today in per_day else today - DAY), 0
    while studied in per_day:
        streak, studied = streak + 1, studied - DAY
    final: dict[str, Any] = {}  # replay in time order: last event wins, cram leaves the state alone
    for e in sorted(events, key=lambda e: (e["t"], e["device"], e["id"])):
        if e["kind"] != "cram" and (e["kind"] == "undo" or e["id"] not in undone):
            final[e["key"]] = e["a"]
    counts: Counter[str] = Counter()
    forecast: Counter[str] = Counter()
    dist = {"intervals": [0] * 12, "stability": [0] * 12, "difficulty": [0] * 10, "retrievability": [0] * 10}
    horizon = 365 if days is None else min(days, 365)
    for key in units:
        if decks is not None and _deck_of(key) not in decks:
            continue
        s = final.get(key)
        counts["total"] += 1
        if s is None:
            counts["new"] += 1
            continue
        counts["leeches"] += s["leech"]
        if s["suspended"]:
            counts["suspended"] += 1
            continue
        buried = s["buried"] is not None and s["buried"] > today.isoformat()
        if s["s"] == 0:
            counts["buried" if buried else "new"] += 1
            counts["buried_new"] += buried
            continue
        mature = s["s"] == 2 and _ivl(s) >= 21
        counts["buried" if buried else "learning" if s["s"] != 2 else "mature" if mature else "young"] += 1
        ahead = max(0, (_study_day(s["due"]) - today).days)
        if ahead <= horizon:
            forecast[f"{ahead}{'m' if mature else 'y'}"] += 1
        if s["s"] == 2:
            dist["intervals"][_bucket(EDGES, _ivl(s))] += 1
        dist["stability"][_bucket(EDGES, s["S"])] += 1
        dist["difficulty"][_bucket(range(1, 11), s["D"])] += 1
        elapsed = max(0.0, (now - s["last"]) / DAY)
        recall = 100 * (1 + (0.9 ** (-1 / DECAY) - 1) * elapsed / s["S"]) ** -DECAY
        dist["retrievability"][_bucket(range(0, 100, 10), recall)] += 1
    month = spans["month"]
    judged = sum(month["young"]) + sum(month["mature"])
    return {
        "today": today.isoformat(),
        "days": span,
        "per_day": {
            d: {**{k: n for k, n in r.items() if k != "ms"}, "seconds": round(r["ms"] / 1000)}
            for d, r in sorted(by_day.items())
        },
        "total": len(period),
        "minutes": round(sum(e["ms"] for e in period) / 60000, 1),
        "calendar": {d.isoformat(): n for d, n in sorted(per_day.items()) if today - 364 * DAY <= d <= today},
        "streak": streak,
        "buttons": buttons,
        "hours": hours,
        "added": {d: n for d, n in sorted(added.items()) if n},
        "spans": spans,
        "counts": {k: v for k, v in counts.items() if v},
        "forecast": dict(sorted(forecast.items())),
        "distributions": dist,
        "reviews_today": per_day[today],
        "retention": (month["young"][0] + month["mature"][0]) / judged if judged else None,
    }


def _got(data: dict[str, Any]) -> dict[str, Any]:
    """The command's JSON in the reference's shape."""
    f = data["forecast"]
    forecast = {"0y": f["backlog_young"], "0m": f["backlog_mature"]}
    for i, d in enumerate(f["days"], 1):
        forecast |= {f"{i}y": d["young"], f"{i}m": d["mature"]}
    kinds = ("new", "learning", "review", "relearning", "reviews")
    return {
        "today": data["today"],
        "days": data["days"],
        "per_day": {
            d["date"]: {**{k: d[k] for k in kinds if d[k]}, "seconds": d["seconds"]}
            for d in data["reviews"]["days"]
        },
        "total": data["reviews"]["total"],
        "minutes": data["reviews"]["minutes"],
        "calendar": {d["date"]: d["reviews"] for d in data["calendar"]["days"]},
        "streak": data["calendar"]["streak"],
        "buttons": data["buttons"],
        "hours": [[h["reviews"], h["passed"]] for h in data["hours"]],
        "added": {a["date"]: a["cards"] for a in data["added"]},
        "spans": {
            s["span"]: {p: [s[p]["pass"], s[p]["fail"]] for p in ("young", "mature")}
            for s in data["retention"]["spans"]
        },
        "counts": {k: v for k, v in data["counts"].items() if v},
        "forecast": dict(sorted((k, v) for k, v in forecast.items() if v)),
        "distributions": {k: v["counts"] for k, v in data["distributions"].items()},
    }


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stats-ref") / "home"
    with pytest.MonkeyPatch.context() as monkeypatch:
        _build(root, monkeypatch)
    return root


def _units(root: Path) -> list[str]:
    now = datetime.now(UTC)
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), now, tz=TZ, read_only=True, cards=False)
    try:
        return [u.key for u in col.units]
    finally:
        col.close()


SCOPES: list[tuple[tuple[str, ...], set[str] | None, int | None]] = [
    ((), None, 30),
    (("--days", "all"), None, None),
    (("--deck", "alpha", "--days", "all"), {"alpha"}, None),
    (("--deck", "grp", "--days", "7"), {"beta"}, 7),
    (("--deck", "Delta", "--days", "400"), {"delta"}, 400),
]


def test_the_history_holds_every_kind_of_event(home: Path) -> None:
    events = _events(home)
    kinds = Counter(e["kind"] for e in events)
    assert {"review", "undo", "cram", "suspend", "unsuspend", "reset", "bury"} <= set(kinds)
    assert len({e["device"] for e in events}) == 3  # this computer, the other, the import
    assert any(e["t"] > datetime.now(UTC) + DAY for e in events)  # the clock ahead
    assert any(e["key"].startswith("gone/") for e in events) and any(e["key"] == "alpha/c11" for e in events)


@pytest.mark.parametrize("cold", [False, True], ids=["warm", "cold"])
def test_stats_json_equals_the_reference(home: Path, cold: bool) -> None:
    if cold:
        shutil.rmtree(home / "cache")
    units = _units(home)
    for args, decks, days in SCOPES:
        data = json.loads(_retain(home, "stats", "--json", *args).stdout)
        want = reference(home, datetime.now(UTC), units, decks, days)
        for name, value in _got(data).items():
            assert value == want[name], (args, name)
        for row in data["decks"]:
            one = reference(home, datetime.now(UTC), units, {row["deck_id"]}, 30)
            assert row["reviews_today"] == one["reviews_today"], (args, row["deck_id"])
            assert row["streak"] == one["streak"], (args, row["deck_id"])
            assert row["retention"] == pytest.approx(one["retention"]), (args, row["deck_id"])
        if decks is None:
            assert data["total"]["reviews_today"] == want["reviews_today"]
            assert data["total"]["streak"] == want["streak"]
