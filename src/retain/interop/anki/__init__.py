"""Anki's formats: `.apkg`/`.colpkg` packages (archive, schema, notes, review log) and Anki's text export."""
