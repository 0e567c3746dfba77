"""Help-center search: one analyzer, one query builder, two index backends.

`analysis` turns text into index terms (Chinese segmentation, English stemming, folding);
`engine` expands a query (synonyms, typo correction), asks the backend of the current
database — SQLite FTS5 or PostgreSQL full text — for the matching articles, and ranks them
the same way on both.
"""
