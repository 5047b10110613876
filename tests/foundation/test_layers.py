"""Import direction: core never imports textual or rich; lower layers never import higher ones."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import retain

SRC = Path(retain.__file__).parent
ORDER = ["core", "store", "interop", "ui"]


def test_headless_import_leaves_textual_out() -> None:
    code = (
        "import sys, pkgutil, importlib, retain.core, retain.store\n"
        "for m in pkgutil.walk_packages(retain.core.__path__, 'retain.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "for m in pkgutil.walk_packages(retain.store.__path__, 'retain.store.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')]\n"
        "print(bad); raise SystemExit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_layers_only_import_downward() -> None:
    problems = []
    for layer_index, layer in enumerate(ORDER):
        for path in (SRC / layer).rglob("*.py"):
            for name in _imports(path):
                parts = name.split(".")
                if parts[0] in ("textual", "rich") and layer != "ui":
                    problems.append(f"{path.relative_to(SRC)} imports {name}")
                if parts[0] == "retain" and len(parts) > 1:
                    target = parts[1]
                    if target in ("cli", "commands") or (
                        target in ORDER and ORDER.index(target) > layer_index
                    ):
                        problems.append(f"{path.relative_to(SRC)} imports {name}")
    assert problems == []
