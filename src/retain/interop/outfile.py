"""Write an export through a temp file in the target folder, renamed into place at the end.

The one atomic-write helper lives in `retain.store.files` (it keeps the mode and
owner of a file it replaces); exports use it under this name.
"""

from __future__ import annotations

from retain.store.files import atomic_output

__all__ = ["atomic_output"]
