"""Deck files: the library (bundled, user and configured folders), their parse cache, edits and watching.

Content only: nothing here reads or writes progress. `library` finds and
loads the decks, `deckcache` keeps their parsed form, `deckedit` and
`card_edits` write an author's changes back (one card's table at a time),
`deckwatch` notices edits made outside the app, `browse` searches the cards.
"""
