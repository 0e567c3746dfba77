"""Help-center search: one analyzer, one query builder, two index backends.

`analysis` turns text into index terms (Chinese segmentation, English stemming, folding);
`engine` expands a query (synonyms, typo correction) and asks the backend of the current
database — SQLite FTS5 or PostgreSQL full text — for ranked article ids.
"""
