"""The legacy Anki collection (schema 11) that retain writes into `.apkg` files.

Every Anki version since 2.0 imports this layout. Note types are Anki's stock
Basic, "Basic (and reversed card)" and "Basic (type in the answer)" with a
third field, Extra, that only the answer templates show (retain shows a card's
extra after the answer), named "retain Basic" and so on, and Anki's stock
Cloze; all with fixed ids so repeated exports map onto the same note types.
The two-field types of older exports had other ids (`OLD_MODEL_IDS`): a note
type whose fields change must get a new id, or Anki (without "merge note
types") files the new notes under a copy with a random id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from retain.core.model import Kind
from retain.core.settings import StudySettings
from retain.interop.anki.ankinote import APKG_NOTETYPE_NAMES
from retain.interop.ankikeep import sane_mod

__all__ = [
    "MODEL_IDS",
    "OLD_MODEL_IDS",
    "RETAIN_MODEL_IDS",
    "SCHEMA",
    "col_conf",
    "deck_conf",
    "deck_json",
    "kept_model_json",
    "model_json",
    "settings_conf",
]

SCHEMA = """
CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null,
  scm integer not null, ver integer not null, dty integer not null, usn integer not null,
  ls integer not null, conf text not null, models text not null, decks text not null,
  dconf text not null, tags text not null);
CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null,
  mod integer not null, usn integer not null, tags text not null, flds text not null,
  sfld integer not null, csum integer not null, flags integer not null, data text not null);
CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null,
  ord integer not null, mod integer not null, usn integer not null, type integer not null,
  queue integer not null, due integer not null, ivl integer not null, factor integer not null,
  reps integer not null, lapses integer not null, left integer not null, odue integer not null,
  odid integer not null, flags integer not null, data text not null);
CREATE TABLE revlog (id integer primary key, cid integer not null, usn integer not null,
  ease integer not null, ivl integer not null, lastIvl integer not null, factor integer not null,
  time integer not null, type integer not null);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
"""

MODEL_IDS: dict[Kind, int] = {
    "basic": 1_700_000_000_201,
    "reversed": 1_700_000_000_202,
    "cloze": 1_700_000_000_103,
    "typed": 1_700_000_000_204,
}
# The two-field Basic, reversed and typed types of exports before the Extra field.
OLD_MODEL_IDS: dict[Kind, int] = {
    "basic": 1_700_000_000_101,
    "reversed": 1_700_000_000_102,
    "typed": 1_700_000_000_104,
}
RETAIN_MODEL_IDS = frozenset(MODEL_IDS.values()) | frozenset(OLD_MODEL_IDS.values())

_CSS = ".card {\n  font-family: arial;\n  font-size: 20px;\n  text-align: center;\n  color: black;\n  background-color: white;\n}\n"
_CLOZE_CSS = _CSS + ".cloze {\n  font-weight: bold;\n  color: blue;\n}\n"
_LATEX_PRE = (
    "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n"
    "\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n"
)
# After the answer only: on a question Anki would give it away, in Back it would be part of the typed
# answer. `<br><br>` keeps the look of older exports, which appended it to Back.
_EXTRA = '{{#Extra}}<br><br><div class="retain-extra">{{Extra}}</div>{{/Extra}}'
_BACK = "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}" + _EXTRA
_TEMPLATES: dict[Kind, list[tuple[str, str, str]]] = {
    "basic": [("Card 1", "{{Front}}", _BACK)],
    "reversed": [
        ("Card 1", "{{Front}}", _BACK),
        ("Card 2", "{{Back}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Front}}" + _EXTRA),
    ],
    "cloze": [("Cloze", "{{cloze:Text}}", "{{cloze:Text}}<br>\n{{Back Extra}}")],
    "typed": [
        ("Card 1", "{{Front}}\n\n{{type:Back}}", "{{Front}}\n\n<hr id=answer>\n\n{{type:Back}}" + _EXTRA)
    ],
}
_FIELDS: dict[Kind, tuple[str, ...]] = {
    "basic": ("Front", "Back", "Extra"),
    "reversed": ("Front", "Back", "Extra"),
    "cloze": ("Text", "Back Extra"),
    "typed": ("Front", "Back", "Extra"),
}


def model_json(kind: Kind, now_s: int, deck_id: int) -> dict[str, Any]:
    fields = [
        {
            "name": n,
            "ord": i,
            "sticky": False,
            "rtl": False,
            "font": "Arial",
            "size": 20,
            "media": [],
            "description": "",
            "plainText": False,
            "collapsed": False,
            "excludeFromSearch": False,
        }
        for i, n in enumerate(_FIELDS[kind])
    ]
    tmpls = [
        {
            "name": name,
            "ord": i,
            "qfmt": q,
            "afmt": a,
            "bqfmt": "",
            "bafmt": "",
            "did": None,
            "bfont": "",
            "bsize": 0,
        }
        for i, (name, q, a) in enumerate(_TEMPLATES[kind])
    ]
    req = [[0, "any", [0]]] if kind != "reversed" else [[0, "any", [0]], [1, "any", [1]]]
    return {
        "id": MODEL_IDS[kind],
        "name": APKG_NOTETYPE_NAMES[kind],
        "type": 1 if kind == "cloze" else 0,
        "mod": now_s,
        "usn": -1,
        "sortf": 0,
        "did": deck_id,
        "tmpls": tmpls,
        "flds": fields,
        "css": _CLOZE_CSS if kind == "cloze" else _CSS,
        "latexPre": _LATEX_PRE,
        "latexPost": "\\end{document}",
        "latexsvg": False,
        "req": [] if kind == "cloze" else req,
        "tags": [],
        "vers": [],
    }


def kept_model_json(mid: int, nt: dict[str, Any], now_s: int, deck_id: int) -> dict[str, Any]:
    """A note type as Anki had it when the deck was imported (see `ankikeep`): same id and names,
    and Anki's own `mod` for it. So Anki keeps a copy the learner changed since (newer) and
    updates one older than the deck's (changed upstream), as the deck's own package would; 0
    (never newer) when unknown. Never the export time: Anki would take retain's copy for newer
    and overwrite the learner's changes (its stock kind, field ids, fonts)."""
    kind: Kind = nt["kind"]
    model = model_json(kind, now_s, deck_id)
    base_field = model["flds"][0]
    base_tmpl = model["tmpls"][0]
    model.update(
        id=mid,
        mod=sane_mod(nt.get("mod")),
        name=nt["name"],
        css=nt["css"] or model["css"],
        flds=[base_field | {"name": name, "ord": i} for i, name in enumerate(nt["flds"])],
        tmpls=[
            base_tmpl | {"name": name, "ord": i, "qfmt": q, "afmt": a}
            for i, (name, q, a) in enumerate(nt["tmpls"])
        ],
        req=[] if kind == "cloze" else [[i, "any", [0]] for i in range(len(nt["tmpls"]))],
    )
    return model


def deck_json(did: int, name: str, desc: str, now_s: int, conf: int = 1) -> dict[str, Any]:
    """An Anki deck; `conf`: the id of its options preset (`settings_conf`; 1, Anki's Default)."""
    return {
        "id": did,
        "name": name,
        "desc": desc,
        "mod": now_s,
        "usn": -1,
        "collapsed": False,
        "browserCollapsed": False,
        "newToday": [0, 0],
        "revToday": [0, 0],
        "lrnToday": [0, 0],
        "timeToday": [0, 0],
        "dyn": 0,
        "conf": conf,
        "extendNew": 0,
        "extendRev": 0,
    }


def deck_conf(now_s: int) -> dict[str, Any]:
    """Anki's stock Default options preset (id 1), as every collection has it: an import into Anki
    never changes the one there. Earlier versions gave every deck this one."""
    return {
        "id": 1,
        "name": "Default",
        "mod": now_s,
        "usn": -1,
        "maxTaken": 60,
        "autoplay": True,
        "timer": 0,
        "replayq": True,
        "dyn": False,
        "new": {
            "delays": [1.0, 10.0],
            "ints": [1, 4, 0],
            "initialFactor": 2500,
            "order": 1,
            "perDay": 20,
            "bury": False,
        },
        "rev": {
            "perDay": 200,
            "ease4": 1.3,
            "ivlFct": 1.0,
            "maxIvl": 36500,
            "hardFactor": 1.2,
            "bury": False,
        },
        "lapse": {"delays": [10.0], "mult": 0.0, "minInt": 1, "leechFails": 8, "leechAction": 1},
    }


def col_conf(model_id: int) -> dict[str, Any]:
    return {
        "nextPos": 1,
        "estTimes": True,
        "activeDecks": [1],
        "sortType": "noteFld",
        "timeLim": 0,
        "sortBackwards": False,
        "addToCur": True,
        "curDeck": 1,
        "newSpread": 0,
        "dueCounts": True,
        "curModel": model_id,
        "collapseTime": 1200,
        "schedVer": 2,
    }


def settings_conf(conf_id: int, name: str, settings: StudySettings, now_s: int) -> dict[str, Any]:
    """A deck's retain settings as an Anki options preset (`deck_conf`'s keys): what both programs
    have (new cards and reviews a day, learning and relearning steps in minutes, maximum
    interval, leech threshold and action, desired retention, the FSRS-6 weights when fitted). Steps
    go in whole seconds, retention and weights to 4 places: Anki's float32 reads them back the same."""
    conf = deck_conf(now_s)
    conf.update(id=conf_id, name=name, desiredRetention=round(settings.desired_retention, 4))
    conf["new"].update(delays=_minutes(settings.learning_steps), perDay=settings.new_per_day)
    conf["rev"].update(perDay=settings.reviews_per_day, maxIvl=settings.maximum_interval)
    conf["lapse"].update(
        delays=_minutes(settings.relearning_steps),
        leechFails=settings.leech_threshold,
        leechAction=0 if settings.leech_action == "suspend" else 1,  # Anki's LeechAction
    )
    if settings.parameters is not None:
        conf["fsrsParams6"] = [round(w, 4) for w in settings.parameters]
    return conf


def _minutes(steps: Sequence[timedelta]) -> list[float]:
    return [round(step.total_seconds()) / 60 for step in steps]
