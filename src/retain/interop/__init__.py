"""retain.interop: import and export formats (native TOML, Anki .apkg, Anki text, Markdown).

Entry points: `importer.read_file` / `plan_import` / `apply_import` and
`exporter.export_decks`; see docs/sharing.md for the formats and the limits.
"""
