"""h36: card text that Anki would take for its own markup goes to Anki as text.

Found: a card whose back read `Like this: [sound:hello.mp3]` (plain text in retain, in a code span
too) went into the Anki field as written, so Anki played (and, missing, recorded) an audio file
and showed none of the text; edited in Anki and imported back it became `[audio]`. Now the export
writes the `[` of Anki's bracket markup (`[sound:`, `[anki:`, `[latex]`, `[$]`, `[$$]`) as
`&#91;`, retain's own sounds staying `[sound:]`; the import reads `&#91;sound:x]` as that text.

Then (attacker 48): text shaped like retain's own reference, `[sound:mk.media/hello.mp3]`, went
unescaped (the escaping worked on the rendered HTML, where the two look alike; now the renderer
escapes the text it writes and only its image rule writes `[sound:]`); and math holding escaped
markup, edited in Anki, came back as `\\(x = [latex]\\)` text, not `$x = [latex]$`."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.interop.anki.ankinote import answer_field_html
from retain.interop.anki.fieldmarkup import field_text, guard_escaped
from retain.interop.html import html_to_text
from retain.interop.html import markdown_to_html as field_html

from .anki_fixture import ANKI_PYTHON, run_anki
from .conftest import run_cli

# Anki's own patterns (rslib `text.rs` AV_TAGS, `latex.rs` LATEX), as Anki runs them on a field
ANKI_AV = re.compile(r"(?s)\[sound:(.+?)\]|\[anki:tts([^\]]*)\](.*?)\[/anki:tts\]|\[anki:play:")
ANKI_LATEX = re.compile(r"(?si)\[latex\](.+?)\[/latex\]|\[\$\](.+?)\[/\$\]|\[\$\$\](.+?)\[/\$\$\]")

SPECIAL = [
    "[sound:hello.mp3]",
    "[anki:tts lang=en_US]hi[/anki:tts]",
    "[anki:play:a:0]",
    "[latex]x^2[/latex]",
    "[LaTeX]y[/LATEX]",
    "[$]a+b[/$]",
    "[$$]c[/$$]",
]


def test_escape_markup_each_syntax() -> None:
    for text in SPECIAL:
        html = field_html(f"Like this: {text}")
        assert not ANKI_AV.search(html) and not ANKI_LATEX.search(html), html
        assert "&#91;" in html or "$" in text  # (`$]a+b[/$` is retain's own math: MathJax)
    code = field_html("Like this: `[sound:hello.mp3]`")
    assert code == "Like this: <code>&#91;sound:hello.mp3]</code>"
    assert "&#91;" in answer_field_html("[sound:a.mp3]")


def test_own_sound_stays() -> None:
    html = field_html("hear ![audio](lit.media/hello.mp3) and [sound:x.mp3]")
    assert "[sound:lit.media/hello.mp3]" in html
    assert "&#91;sound:x.mp3]" in html


@pytest.mark.parametrize(
    "text",
    [
        "It writes [sound:mk.media/hello.mp3]",
        "It writes `[sound:mk.media/hello.mp3]`",
        "```\n[sound:other.media/x.ogg]\n```",
        '[a link](https://x.org "[sound:mk.media/a.mp3]")',
        "![[sound:mk.media/a.mp3]](mk.media/pic.png)",
        "# [latex]x[/latex]\n\n| a | b |\n|---|---|\n| [sound:mk.media/t.mp3] | [$$]y[/$$] |",
    ],
)
def test_text_shaped_like_an_own_reference_is_text(text: str) -> None:
    html = field_html(text)
    assert not ANKI_AV.search(html) and not ANKI_LATEX.search(html), html


def test_math_with_escaped_markup_reads_back_as_math() -> None:
    html = field_html("In math: $x = [latex]$")
    assert "&#91;latex]" in html and not ANKI_LATEX.search(html), html
    assert field_text(html + " (edited in Anki)") == "In math: $x = [latex]$ (edited in Anki)"


def test_escaped_reads_back_as_text() -> None:
    assert field_text("Like this: &#91;sound:hello.mp3]") == "Like this: [sound:hello.mp3]"
    assert field_text("&#x5B;sound:a] &lsqb;latex]b&#91;/latex]") == "[sound:a] [latex]b[/latex]"
    assert field_text("<code>&#91;sound:a]</code>") == "`[sound:a]`"
    # a bare one is Anki's sound; an escaped `[` elsewhere is left as html_to_text reads it
    assert field_text("[sound:a.mp3]", lambda n: None) == html_to_text("[sound:a.mp3]", lambda n: None)
    assert guard_escaped('<img alt="&#91;sound:x]" src="a.png">') == '<img alt="&#91;sound:x]" src="a.png">'
    assert guard_escaped("a &#91;1] b") == "a &#91;1] b"


def test_guard_is_linear() -> None:
    hostile = "&#91;sound:x]" + "<!--" * 20_000 + "<" * 20_000
    assert guard_escaped(hostile).startswith("[<!---->sound:x]")


_WORDS = st.sampled_from(
    [*SPECIAL, "word", " ", "[", "]", "sound:", "$", "latex", "`[sound:a.mp3]`", "\n", "x.mp3"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=12).map(" ".join))
def test_round_trip_through_an_anki_edit(text: str) -> None:
    """What the export writes has no Anki markup in it, and read back as a field edited in Anki
    (no hidden Markdown: from its HTML) it shows the same text again, escaped again."""
    html = field_html(text)
    assert not ANKI_AV.search(html) and not ANKI_LATEX.search(html)
    back = field_text(html, lambda n: None)
    assert "[audio]" not in back
    again = field_html(back)
    assert _shown(again) == _shown(html)
    assert not ANKI_AV.search(again) and not ANKI_LATEX.search(again)


def _shown(html: str) -> str:
    """The text a field shows (tags as spaces, references decoded, spaces collapsed)."""
    return " ".join(unescape(re.sub(r"<[^>]*>", " ", html)).split())


ANKI_CHECK = r"""
import json, sys, os
from anki.collection import Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions
from anki.collection import ExportAnkiPackageOptions
w, apkg, out = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(w + "/anki", exist_ok=True)
col = Collection(w + "/anki/col.anki2")
col.import_anki_package(ImportAnkiPackageRequest(package_path=apkg, options=ImportAnkiPackageOptions()))
res = {}
for cid in col.find_cards(""):
    c = col.get_card(cid)
    n = c.note()
    res[n.fields[0].split("<!--")[0]] = {"av": [str(t) for t in c.answer_av_tags()], "a": c.answer()}
    n.fields[1] = n.fields[1] + " edited"  # an edit in Anki: the field is read from its HTML
    col.update_note(n)
col.export_anki_package(out_path=out, options=ExportAnkiPackageOptions(with_scheduling=False,
    with_media=True, legacy=False), limit=None)
col.close()
print(json.dumps(res))
"""


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason="real Anki is not installed")
def test_real_anki_shows_the_text(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deck = tmp_path / "lit.toml"
    cards = "".join(
        f'\n[[cards]]\nid = "c{i}"\nfront = "q{i}"\nback = {json.dumps("Like this: " + t)}\n'
        for i, t in enumerate([*SPECIAL, "`[sound:code.mp3]`"])
    )
    media = tmp_path / "lit.media"
    media.mkdir()
    (media / "hello.mp3").write_bytes(b"ID3" + b"\0" * 64)
    cards += '\n[[cards]]\nid = "own"\nfront = "qown"\nback = "![audio](lit.media/hello.mp3)"\n'
    deck.write_text(f'format = 1\n\n[deck]\nid = "lit"\nname = "Literal"\n{cards}', encoding="utf-8")
    assert run_cli(capsys, "import", str(deck))[0] == 0
    out = tmp_path / "lit.apkg"
    assert run_cli(capsys, "export", "lit", "-o", str(out))[0] == 0
    back = tmp_path / "from-anki.apkg"
    shown = json.loads(run_anki(tmp_path, ANKI_CHECK, str(tmp_path), str(out), str(back)))
    for i, text in enumerate(SPECIAL):
        card = shown[f"q{i}"]
        assert card["av"] == [], (text, card)
        assert "latex-" not in card["a"], (text, card)
        if "$" not in text:  # (`$]a+b[/$` is retain's own math, which goes as MathJax)
            assert text.replace("[", "&#91;") in card["a"], (text, card)
    assert len(shown["qown"]["av"]) == 1 and ".mp3" in shown["qown"]["av"][0]  # (stored by its hash)
    # edited in Anki, imported back: the text, not `[audio]`
    assert run_cli(capsys, "import", str(back), "--force")[0] == 0
    code, text, _ = run_cli(capsys, "export", "lit", "-o", str(tmp_path / "again.toml"))
    assert code == 0
    again = (tmp_path / "again.toml").read_text(encoding="utf-8")
    assert "Like this: [sound:hello.mp3] edited" in again
    assert "`[sound:code.mp3]` edited" in again
