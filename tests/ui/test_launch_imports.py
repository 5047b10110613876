"""What bare `retain` imports before the home screen's first paint (launch time at 50k cards).

Each module here is a few milliseconds of a launch that is compared with a
bare Textual app: argument parsing (none to parse), JSON and the CLI's print
path (only for an error), shell splitting (only for a configured viewer), and
the stylesheets of screens not yet shown.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import retain.ui

LAUNCH_PATH = (
    "import retain.cli, retain.commands.home, retain.commands.review, retain.store.home, "
    "retain.store.index.homesummary, retain.store.localzone, retain.ui.app, retain.ui.loader, retain.ui.media"
)
NOT_BEFORE_THE_FIRST_PAINT = ("argparse", "json", "shlex", "retain.commands.output")


def test_the_launch_path_leaves_out_what_the_first_paint_does_not_need() -> None:
    code = f"import sys\n{LAUNCH_PATH}\nprint(' '.join(m for m in {NOT_BEFORE_THE_FIRST_PAINT!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_app_stylesheet_holds_only_the_home_and_study_screens() -> None:
    """The other screens' rules are parsed when they are first shown (their `CSS`), not at launch."""
    css = (Path(retain.ui.__file__).parent / "app.tcss").read_text(encoding="utf-8")
    for moved in ("#browser-", "#editor-", "#share-", "#stats-", "#help-box", "#summary-box"):
        assert moved not in css
    assert "#decks" in css and "StudyScreen CardView" in css
