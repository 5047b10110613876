"""Write an export through a temp file in the target folder, renamed into place at the end.

The one atomic-write helper lives in `retain.store.files` (it keeps the mode and
owner of a file it replaces); exports use it here with `through_links=False`: a
symbolic link at an export's path (`out.apkg -> ~/.bashrc`, placed by a stranger's
archive or a shared folder) is replaced by the export, never written through to
the file it names. An export is a new file for someone else, not an edit of the
file the link leads to.

What an export reads of the user's own media is opened here too (`open_media`): never a
FIFO or a device (which would hold the export up), never a symbolic link swapped in for a
file after it was checked.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import BinaryIO

from retain.store.files import NotRegularFileError, open_regular
from retain.store.files import atomic_output as _atomic_output

__all__ = ["atomic_output", "media_left_out", "open_media"]


# (`with atomic_output(path) as part:`) a temp path beside `path`; once the block succeeds it
# replaces whatever is at `path` (a file, or a symbolic link: the link itself) atomically.
atomic_output = functools.partial(_atomic_output, through_links=False)


def open_media(path: Path) -> BinaryIO:
    """A media file an export found (`interop.media.media_file`: a file in the deck's media folder,
    or a link's real path there), opened for reading: NotRegularFileError when it is no regular
    file now (a FIFO, a device, a symbolic link swapped in for it since it was checked)."""
    return open_regular(path, under=path.parent)


def media_left_out(path: Path, exc: NotRegularFileError) -> str:
    """The warning for a media file that was no regular file any more when the export read it."""
    return (
        f"media file {path} is {exc.kind} now, not a regular file (changed while exporting); "
        "exported without it"
    )
