"""Everything that touches the disk, in three parts:

- `store.decks`: deck files (content);
- `store.state`: progress (journal, snapshots, the writer);
- `store.index`: what is derived from both and can be rebuilt (the history
  index, parse caches, the launch summary).

`collection.Collection` opens the three together; `home`, `paths`, `config`,
`files` and `localzone` are shared by all.
"""
