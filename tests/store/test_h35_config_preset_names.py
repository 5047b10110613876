"""h35: config.toml's messages name a preset's table as TOML spells it.

`[presets."a.b"]` (a name with a dot, or `Anki: Default` from an Anki import) was named
`presets.a.b` in every message about it: the table of preset `b` inside `a`, which the file
does not hold."""

from __future__ import annotations

import pytest

from retain.store.config import ConfigError, parse_config


@pytest.mark.parametrize(
    ("table", "said"),
    [
        ('[presets."a.b"]\ndesired_retention = 2\n', '`presets."a.b".desired_retention` must be a number'),
        ('[presets."Anki: Default"]\nbogus = 1\n', 'unknown setting `presets."Anki: Default".bogus`'),
        ('[presets."a.b"]\npreset = "x"\n', 'unknown setting `presets."a.b".preset`'),
        ('[presets]\n"a.b" = 3\n', '[presets."a.b"] must be a table'),
        ("[presets.plain]\ndesired_retention = 2\n", "`presets.plain.desired_retention` must be a number"),
    ],
)
def test_messages_name_the_preset_as_the_file_spells_it(table: str, said: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(table)
    assert said in str(caught.value)
    assert "\n" not in str(caught.value)
