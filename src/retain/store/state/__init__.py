"""Progress on disk: where a review is written, and how the current states are loaded.

`writer.StateWriter` is the only thing that changes a card's state: it takes
`lock`, finds this machine's `device` folder, appends each event to the
`journal` (format in `journal_format`/`statecodec`, fast reading in
`recordfast`, old files in `journal_v1`) and compacts `snapshot`s.
`stateload` loads snapshots plus the journal tail at start-up (`snapshot_load`,
`journal_tail`; the replay rules in `replay_rules` and `replay_cards`); `backup`,
`migrate` and `progress_edits` do the rest. See docs/state-format.md.
"""
