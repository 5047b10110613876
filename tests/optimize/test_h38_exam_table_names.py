"""The lines that name an `[exam.NAME]` entry spell its table as config.toml does, as the preset
lines do (`[presets."a.b"]`): `[exam."a.b"]` was said `[exam.a.b]` (an entry "b" inside "a") and
`exam.a.b.recall`, and `[exam.""]` was said `[exam.]`, which is no TOML at all."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.core.exam import ExamSetting
from retain.store.config import ConfigError, parse_config
from retain.store.exam_config import exam_clashes, exam_table, past_exams


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[exam."a.b"]\ndate = 2026-12-15\nrecall = 2\n', '`exam."a.b".recall`'),
        ('[exam."a.b"]\ndate = "soon"\n', '`exam."a.b".date`'),
        ('[exam."a.b"]\nrecall = 0.9\n', '[exam."a.b"] needs date'),
        ('[exam."a.b"]\ndate = 2026-12-15\ncolour = 1\n', '`exam."a.b".colour`'),
        ('[exam.""]\nrecall = 0.9\n', '[exam.""] needs date'),
        (
            '[exam."Distributed Systems"]\ndate = 2026-12-15\nrecall = 2\n',
            '`exam."Distributed Systems".recall`',
        ),
        ("[exam.kafka]\ndate = 2026-12-15\nrecall = 2\n", "`exam.kafka.recall`"),
    ],
)
def test_a_bad_entry_is_named_as_config_toml_spells_it(text: str, said: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert said in str(caught.value), str(caught.value)


def test_a_passed_exam_and_a_loose_clash_quote_their_names() -> None:
    exams = {"a.b": ExamSetting(date(2020, 1, 1), 0.9), "": ExamSetting(date(2020, 1, 1), 0.9)}
    lines = past_exams(exams, date(2026, 1, 1))
    assert lines[0].startswith('config: [exam."a.b"] date 2020-01-01 has passed'), lines
    assert lines[1].startswith('config: [exam.""] date 2020-01-01 has passed'), lines
    ahead = {"Big Data": ExamSetting(date(2030, 1, 1), 0.9), "big  data": ExamSetting(date(2030, 2, 1), 0.9)}
    (line,) = exam_clashes(ahead, [("d1", "BIG DATA")])
    assert (
        '[exam."Big Data"] and [exam."big  data"]' in line and 'follow [exam."Big Data"], the first' in line
    )


@given(st.text(max_size=30))
def test_the_table_named_is_the_entry(name: str) -> None:
    """What a line says is the entry's own table: read back as TOML, it names `name`."""
    table = exam_table(name)
    assert table.startswith("[exam.") and table.endswith("]")
    parsed = tomllib.loads(f"{table}\ndate = 2026-12-15\n")
    assert list(parsed["exam"]) == [name]
