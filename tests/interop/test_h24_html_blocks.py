"""h24: an Anki note's headings and quotations stay headings and quotations.

Before the fix `<h1>`..`<h6>` and `<blockquote>` were only block boundaries: `<h2>Mitosis</h2>`
came in as the line `Mitosis` and `said<blockquote>Imagination</blockquote>` as `said` then
`Imagination`, so the card showed neither the heading nor the quotation, and the export back to
Anki (`markdown_to_html`, which already writes `<h1>` and `<blockquote>` for Markdown's `#` and
`>`) had no `<h2>` and no `<blockquote>` left to write. Now a heading is an ATX heading line (`## `)
with blank lines around it, and a quotation `> `-prefixed lines (nested `> > `, a blank line in
it a `>` line, lists, code and headings inside it under the prefix); text that would begin a
heading or a quotation stays literal (`\\#`, `\\>`).
"""

from __future__ import annotations

import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from rich.console import Console

from retain.core.answer.shown import card_parser
from retain.interop.html import _renderer, html_to_text, markdown_to_html
from retain.ui.text import card_markdown

from .anki_fixture import ANKI_PYTHON, run_anki
from .conftest import run_cli

needs_anki = pytest.mark.skipif(
    not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)"
)
HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
ANKI_INDENT = '<blockquote style="margin: 0 0 0 40px; border: none; padding: 0px;">'  # Anki's indent button


@pytest.mark.parametrize(
    ("field", "markdown"),
    [
        *[(f"<h{n}>Title</h{n}>", "#" * n + " Title") for n in range(1, 7)],
        ("before<h2>Mitosis</h2>after", "before\n\n## Mitosis\n\nafter"),
        ("<div>a</div><h3>b</h3><div>c</div>", "a\n\n### b\n\nc"),
        ("<h3>a</h3><h3>b</h3>", "### a\n\n### b"),
        ("<h2>a</h2><ul><li>b</li></ul>", "## a\n\n- b"),
        ("<ul><li>a</li></ul><h2>b</h2>", "- a\n\n## b"),
        # inline content as the span code writes it anywhere
        ('<h1><b>Bold</b> and <i>it</i> <a href="https://x.org">link</a></h1>', "# **Bold** and *it* link"),
        ("<h2><s>gone</s> <code>x</code></h2>", "## ~~gone~~ `x`"),
        ("<h2><b>a<br>b</b></h2>", "## **a**\n\n## **b**"),  # (a heading is one line: each line one)
        ("<h2><div>a</div><div>b</div></h2>", "## a\n\n## b"),
        ("<h1>a<h2>b</h2>c</h1>", "# a\n\n## b\n\n# c"),
        # nothing shown, no heading
        ("a<h2></h2>b", "a\nb"),
        ("a<h2> <br> </h2>b", "a\nb"),
        # `#` at a heading's end would close it (`## C #` is "C"): escaped
        ("<h2>C #</h2>", "## C \\#"),
        ("<h2>C#</h2>", "## C#"),
        ("<h2>#</h2>", "## \\#"),
        ("<h2>a <b>b</b> ##</h2>", "## a **b** \\##"),
        # a heading in a list item, a list in a heading
        ("<ul><li><h3>Step</h3>text</li></ul>", "- ### Step\n\n  text"),
        ("<ul><li>a<h3>b</h3></li></ul>", "- a\n\n  ### b"),
        ("<h2><ul><li>a</li><li>b</li></ul></h2>", "- ## a\n- ## b"),
        # code and rules in a heading are no heading's
        ("<h2>a<pre>x</pre>b</h2>", "## a\n\n```\nx\n```\n\n## b"),
        ("<h2>a<hr>b</h2>", "## a\n\n***\n\n## b"),
    ],
)
def test_a_heading_is_a_markdown_heading(field: str, markdown: str) -> None:
    assert html_to_text(field) == markdown
    assert_reads_back(field)


@pytest.mark.parametrize(
    ("field", "markdown"),
    [
        # a table's cells hold no heading or quotation (Markdown's cannot): their text
        (
            "<table><tr><td><h2>a</h2></td><td><blockquote>b</blockquote></td></tr></table>",
            "| a | b |\n| --- | --- |",
        ),
        ("<pre><h2>a</h2><blockquote>b</blockquote></pre>", "```\na\nb\n```"),
        # a blank line in a quotation is a `>` line (Anki's `<br><br>` comes back from the export as
        # `<p>`s, which are lines, as out of a quotation)
        ("<blockquote>a<br><br>b</blockquote>", "> a\n>\n> b"),
        ("<blockquote>a<br><br><br>b<br><br></blockquote>c", "> a\n>\n> b\n\nc"),
        ("<blockquote><blockquote>a<br><br></blockquote>b</blockquote>", "> > a\n>\n> b"),
        # `</li>` ends a quotation begun in the item (as a browser's parser ends it)
        ("<ul><li><blockquote>a</li><li>b</li></ul>", "- > a\n- b"),
    ],
)
def test_where_markdown_cannot_follow(field: str, markdown: str) -> None:
    assert html_to_text(field) == markdown
    again = html_to_text(markdown_to_html(markdown))
    assert again.replace("\n>\n", "\n") == markdown.replace("\n>\n", "\n")


@pytest.mark.parametrize(
    ("field", "markdown"),
    [
        ("<blockquote>Imagination</blockquote>", "> Imagination"),
        (
            f"Einstein said{ANKI_INDENT}Imagination is more important</blockquote>than knowledge",
            "Einstein said\n> Imagination is more important\n\nthan knowledge",
        ),
        ("<blockquote><div>a</div><div>b</div></blockquote>", "> a\n> b"),
        ("<blockquote>a<br>b</blockquote>", "> a\n> b"),
        ("<blockquote><b>bold <i>it</i></b></blockquote>", "> **bold *it***"),
        ("<blockquote><b>a<div>b</div></b></blockquote>", "> **a**\n> **b**"),
        # nested
        ("<blockquote><blockquote>deep</blockquote></blockquote>", "> > deep"),
        ("<blockquote>a<blockquote>b</blockquote>c</blockquote>", "> a\n> > b\n>\n> c"),
        ("<blockquote>a<blockquote>b</blockquote></blockquote>c", "> a\n> > b\n\nc"),
        # lists, code, rules, headings and tables under the prefix
        ("<blockquote><ul><li>a</li><li>b</li></ul>c</blockquote>", "> - a\n> - b\n>\n> c"),
        ("<blockquote><ol><li>a<ul><li>b</li></ul>c</li></ol></blockquote>", "> 1. a\n>    - b\n>\n>    c"),
        ("<blockquote>x<pre>a\n\nb</pre>y</blockquote>", "> x\n> ```\n> a\n>\n> b\n> ```\n> y"),
        ("<blockquote>a<hr>b</blockquote>", "> a\n> ***\n> b"),
        ("<blockquote><h2>Title</h2>body</blockquote>", "> ## Title\n>\n> body"),
        ("<blockquote>x<h2>Title</h2></blockquote>", "> x\n>\n> ## Title"),
        ("<h2><blockquote>a</blockquote></h2>", "> ## a"),
        (
            "<blockquote><table><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table></blockquote>",
            "> | 1 | 2 |\n> | --- | --- |\n> | 3 | 4 |",
        ),
        ("<blockquote><s>gone</s></blockquote>", "> ~~gone~~"),
        # in a list item: on its marker's line, or under its text
        ("<ul><li><blockquote>q</blockquote></li></ul>", "- > q"),
        ("<ul><li><blockquote>q<br>r</blockquote></li></ul>", "- > q\n  > r"),
        ("<ul><li><blockquote><ul><li>a</li></ul></blockquote></li></ul>", "- > - a"),
        ("<ul><li><blockquote><blockquote>q</blockquote></blockquote></li></ul>", "- > > q"),
        ("<ul><li>a<blockquote>q</blockquote>b</li></ul>", "- a\n  > q\n\n  b"),
        ("<ul><li>a</li></ul><blockquote>q</blockquote>", "- a\n\n> q"),
        # nothing shown, no quotation
        ("a<blockquote></blockquote>b", "a\nb"),
        ("<ul><li><blockquote></blockquote></li></ul>", "-"),
        # closed with what is open in it (as a browser's parser closes it)
        ("<blockquote><ul><li>a</blockquote>b", "> - a\n\nb"),
    ],
)
def test_a_blockquote_is_a_markdown_quotation(field: str, markdown: str) -> None:
    assert html_to_text(field) == markdown
    assert_reads_back(field)


@pytest.mark.parametrize(
    ("field", "markdown"),
    [
        ("<h2>H<sub>2</sub>O</h2>", "## H₂O"),
        ("<blockquote>x<sup>2</sup> H<sub>2</sub>O</blockquote>", "> x² H₂O"),
        ("<blockquote><sup>2</sup></blockquote>", "> ²"),
        ("<blockquote><sup>iπ</sup></blockquote>", "> ^(iπ)"),
        ("<ul><li><blockquote><sub>2</sub></blockquote></li></ul>", "- > ₂"),
        ("<blockquote><ul><li><s>a</s> b</li></ul></blockquote>", "> - ~~a~~ b"),
    ],
)
def test_superscripts_subscripts_and_strikes_keep_the_line_prefix(field: str, markdown: str) -> None:
    """A mark's text is rewritten in place (`x²`): the line's `> ` before it stays where it was."""
    assert html_to_text(field) == markdown
    assert html_to_text(markdown_to_html(markdown)) == markdown


@pytest.mark.parametrize(
    ("field", "markdown"),
    [
        # text that would begin a heading or a quotation stays text, wherever a line begins
        ("# of partitions", "\\# of partitions"),
        ("&gt; 5 ms", "\\> 5 ms"),
        ("a<br># b<br>&gt; c", "a\n\\# b\n\\> c"),
        ("<div>#</div><div>&gt;</div><div>## x</div>", "\\#\n\\>\n\\## x"),
        ("<span>#</span> a", "\\# a"),
        ("<blockquote># not a heading</blockquote>", "> \\# not a heading"),
        ("<blockquote>&gt; not nested</blockquote>", "> \\> not nested"),
        ("<blockquote>1. not a list</blockquote>", "> 1\\. not a list"),
        ("<blockquote>1<span>.</span> not a list</blockquote>", "> 1\\. not a list"),
        ("<blockquote>a<br>- b</blockquote>", "> a\n> \\- b"),
        ("<ul><li><blockquote>&gt; x</blockquote></li></ul>", "- > \\> x"),
        ("<ul><li>&gt; x</li></ul>", "- \\> x"),
        ("<b># a</b>", "**# a**"),  # (not at a line's start: no heading)
        ("<h1>&gt; a</h1>", "# > a"),  # (a heading's text is inline: `>` is text there)
        # a quotation's `>` is told from text's `>` where the field is read without its escapes
        ("<blockquote><div>&gt;</div></blockquote>", "> \\>"),
        ("<blockquote>a<br>&gt;<br>b</blockquote>", "> a\n> \\>\n> b"),
        # a field holding the private mark the quotation's `>` is written with while converting
        ("<blockquote>a\ue014<blockquote>b</blockquote>c</blockquote>", "> a\ue014\n> > b\n>\n> c"),
    ],
)
def test_text_that_looks_like_a_heading_or_a_quotation_stays_text(field: str, markdown: str) -> None:
    assert html_to_text(field) == markdown
    assert_reads_back(field)


def test_quotations_and_headings_nested_thousands_deep_stay_bounded() -> None:
    """Hostile nesting: sixteen levels of `> ` at most on a line (deeper quotations are lines in
    the deepest), and every word kept."""
    deep = html_to_text("<blockquote>a" * 5000)
    lines = deep.split("\n")
    assert len(lines) == 5000 and all(line.count(">") <= 16 for line in lines), lines[-1]
    assert lines[15] == "> " * 16 + "a" and lines[-1] == "> " * 16 + "a"
    mixed = html_to_text("<blockquote><h2>a<ul><li>" * 2000)
    assert mixed.count("a") == 2000 and max(len(line) for line in mixed.split("\n")) < 200


def test_the_export_writes_headings_and_blockquotes() -> None:
    """`markdown_to_html` (the Markdown->HTML direction of every Anki export)."""
    out = markdown_to_html("# Title\n\n### Sub *it*\n\n> quoted\n> > deeper\n>\n> - item\n\nafter")
    assert "<h1>Title</h1>" in out and "<h3>Sub <em>it</em></h3>" in out, out
    assert out.count("<blockquote>") == 2 and "<li>item</li>" in out and "<p>after</p>" in out, out
    assert markdown_to_html("\\# a\n\\> b") == "# a<br>&gt; b"


# What a browser shows of the HTML: each word with the heading it is in and how deep in quotations.


_INLINE = frozenset({"a", "b", "i", "em", "strong", "s", "span", "code", "sub", "sup"})


class _Where(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.heading: list[int] = []
        self.quotes = 0
        self.words: list[tuple[str, int, int]] = []
        self.skip = 0
        self.text: list[str] = []  # the text since the last block boundary

    def flush(self) -> None:
        level = self.heading[-1] if self.heading and not self.skip else 0
        self.words += [(w, level, self.quotes) for w in "".join(self.text).split()]
        self.text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _INLINE:
            self.flush()
        if tag in HEADINGS:
            self.heading.append(int(tag[1]))
        elif tag == "blockquote":
            self.quotes += 1
        elif tag == "pre":
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag not in _INLINE:
            self.flush()
        if tag in HEADINGS and self.heading:
            self.heading.pop()
        elif tag == "blockquote" and self.quotes:
            self.quotes -= 1
        elif tag == "pre" and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def where(html: str) -> list[tuple[str, int, int]]:
    parser = _Where()
    parser.feed(html)
    parser.close()
    parser.flush()
    return parser.words


def _unstarred(words: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Words without `*`: bold or italic beside punctuation inside a word (`y<b>#</b>`), which
    Markdown cannot write, shows its stars (as before; not this file's subject)."""
    return [(w.replace("*", ""), level, quotes) for w, level, quotes in words if w.replace("*", "")]


def _blocks(markdown: str, md: MarkdownIt) -> list[tuple[str, int]]:
    return [(t.type, t.level) for t in md.parse(markdown) if t.type != "inline"]


def assert_reads_back(field: str) -> str:
    """The Markdown shows every word where the field shows it (in which heading, how deep in
    quotations) in the export's HTML, retain reads the blocks the export renders, and the
    Markdown is the same after one more trip through Anki's HTML."""
    markdown = html_to_text(field)
    exported = markdown_to_html(markdown)
    assert _unstarred(where(exported)) == _unstarred(where(field)), markdown
    assert _blocks(markdown, card_parser()) == _blocks(markdown, _renderer()), markdown
    assert html_to_text(exported) == markdown, exported
    return markdown


WORDS = ["alpha", "beta", "x", "#", ">", "1.", "-", "##", "a #"]
word = st.sampled_from(WORDS)
span = st.tuples(st.sampled_from(["b", "i", "em", "strong"]), word).map(lambda t: f"<{t[0]}>{t[1]}</{t[0]}>")
link = word.map(lambda w: f'<a href="https://example.org/{len(w)}">{w}</a>')
inline = st.lists(st.one_of(word, span, link), min_size=1, max_size=3).map(" ".join)


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    heading = st.tuples(st.sampled_from(HEADINGS), inline).map(lambda t: f"<{t[0]}>{t[1]}</{t[0]}>")
    quote = st.lists(children, min_size=1, max_size=3).map(
        lambda xs: f"<blockquote>{''.join(xs)}</blockquote>"
    )
    para = st.tuples(st.sampled_from(["p", "div"]), children).map(lambda t: f"<{t[0]}>{t[1]}</{t[0]}>")
    items = st.lists(children, min_size=1, max_size=3).map(lambda xs: "".join(f"<li>{x}</li>" for x in xs))
    lists = st.tuples(st.sampled_from(["ul", "ol"]), items).map(lambda t: f"<{t[0]}>{t[1]}</{t[0]}>")
    return st.one_of(heading, quote, para, lists, st.lists(children, min_size=2, max_size=3).map("".join))


def _leaf() -> st.SearchStrategy[str]:
    heading = st.tuples(st.sampled_from(HEADINGS), inline).map(lambda t: f"<{t[0]}>{t[1]}</{t[0]}>")
    return st.one_of(inline.map(lambda s: f"<div>{s}</div>"), heading)


fields = st.recursive(_leaf(), _extend, max_leaves=10)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields)
@example("<blockquote><ul><li>a</li></ul><h2>b</h2></blockquote>")
@example("<ol><li><blockquote><h1>a</h1><ul><li>b</li></ul></blockquote></li></ol>")
@example("<blockquote><blockquote><div>a</div></blockquote><div>b</div></blockquote>")
@example("<h3>a #</h3><blockquote><h6>#</h6></blockquote>")
@example("<ul><li><h2>a</h2></li><li><blockquote>b</blockquote></li></ul><div>c</div>")
def test_headings_and_quotations_survive_a_trip_through_anki(field: str) -> None:
    """Generated trees of headings, quotations, paragraphs, lists and inline spans: import, export,
    import gives the same Markdown, with every word in its heading and quotation."""
    assert_reads_back(field)


def test_a_card_with_a_heading_and_a_quotation_is_shown_as_such() -> None:
    """The study screen (Rich's Markdown) shows the heading's text and a bar before each quoted
    line, never the `#` and `>` marks."""
    markdown = html_to_text(
        "<h2>Relativity</h2>Einstein said<blockquote>Imagination is more important"
        "<blockquote>than knowledge</blockquote></blockquote>"
    )
    assert markdown == ("## Relativity\n\nEinstein said\n> Imagination is more important\n> > than knowledge")
    console = Console(width=60, record=True, color_system=None, legacy_windows=False)
    console.print(card_markdown(markdown))
    lines = [ln.strip() for ln in console.export_text().splitlines() if ln.strip()]
    assert lines == [
        "Relativity",
        "Einstein said",
        "▌ Imagination is more important",
        "▌ ▌ than knowledge",
    ], lines


# The repro: real Anki's fields through a real package, and back.

ANKI_MAKE = """
import sys
from anki.collection import Collection, ExportAnkiPackageOptions
col = Collection(sys.argv[1])
basic = col.models.by_name("Basic")
for front, back in [
    ("Mitosis?", "<h2>Mitosis</h2><div>Four <b>phases</b>:</div><ol><li>prophase</li><li>metaphase</li></ol>"),
    ("Quote?", 'Einstein said<blockquote style="margin: 0 0 0 40px; border: none; padding: 0px;">Imagination is more important<blockquote>than knowledge</blockquote></blockquote>'),
]:
    n = col.new_note(basic); n["Front"] = front; n["Back"] = back
    col.add_note(n, col.decks.id("Blocks"))
col.export_anki_package(out_path=sys.argv[2], options=ExportAnkiPackageOptions(
    with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False), limit=None)
col.close()
"""

ANKI_READ = """
import sys
from anki.collection import Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions
col = Collection(sys.argv[1])
col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[2], options=ImportAnkiPackageOptions()))
for nid in col.find_notes(""):
    print(col.get_note(nid)["Back"].split("<!--")[0])
col.close()
"""


@needs_anki
def test_anki_headings_and_quotations_import_and_go_back_after_an_edit(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    apkg = tmp_path / "blocks.apkg"
    run_anki(tmp_path, ANKI_MAKE, str(tmp_path / "c.anki2"), str(apkg))
    assert run_cli(capsys, "import", str(apkg))[0] == 0
    deck = home / "decks" / "blocks.toml"
    backs = {c["front"]: c["back"] for c in tomllib.loads(deck.read_text(encoding="utf-8"))["cards"]}
    assert backs["Mitosis?"] == "## Mitosis\n\nFour **phases**:\n1. prophase\n2. metaphase"
    assert backs["Quote?"] == "Einstein said\n> Imagination is more important\n> > than knowledge"
    # edited in retain: the export renders the Markdown, headings and quotations as Anki's HTML
    text = deck.read_text(encoding="utf-8")
    deck.write_text(text.replace("## Mitosis", "## Mitosis (edited)").replace("Einstein", "He"), "utf-8")
    out = tmp_path / "back.apkg"
    assert run_cli(capsys, "export", "blocks", "-o", str(out))[0] == 0
    shown = run_anki(tmp_path, ANKI_READ, str(tmp_path / "fresh.anki2"), str(out))
    assert "<h2>Mitosis (edited)</h2>" in shown, shown
    assert "<blockquote>\n<p>Imagination is more important</p>\n<blockquote>" in shown, shown
    assert "<p>than knowledge</p>" in shown and "He said" in shown, shown
