"""The one search function: query → expanded terms → backend → ranked articles with snippets."""

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.cache import cache
from rapidfuzz import process
from rapidfuzz.distance import OSA

from helpcenter.models import Article, SearchTerm, Synonym
from helpcenter.search import backends
from helpcenter.search.analysis import (
    analyze,
    english_words,
    is_english_term,
    query_words,
    stem,
)
from helpcenter.text import plain_text

MAX_QUERY_CHARS = 200
_VERSION_KEY = "helpcenter:search-version"


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    # One set per thing the customer asked about: a query term with its synonyms and its
    # spelling correction. A document that answers more of them ranks higher.
    groups: list[frozenset[str]]
    corrections: dict[str, str] = field(default_factory=dict)  # typo → dictionary word
    highlight: list[str] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        """Every term the backend should match, in a stable order."""
        return list(dict.fromkeys(t for group in self.groups for t in sorted(group)))


@dataclass(frozen=True)
class SearchHit:
    article: Article
    score: float
    snippet: str  # safe HTML with <mark> around matches


@dataclass(frozen=True)
class SearchPage:
    query: ParsedQuery
    hits: list[SearchHit]
    total: int


# --- dictionaries, cached per process and invalidated through the shared cache -----------------


def _version() -> int:
    version = cache.get(_VERSION_KEY)
    if version is None:
        cache.add(_VERSION_KEY, 1, timeout=None)
        version = cache.get(_VERSION_KEY, 1)
    return int(version)


def invalidate() -> None:
    """Synonyms or the term dictionary changed: every process reloads them on next use."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 2, timeout=None)


@lru_cache(maxsize=2)
def _synonym_groups(version: int) -> list[list[frozenset[str]]]:
    groups = []
    for synonym in Synonym.objects.all():
        members = [frozenset(analyze(term)) for term in synonym.term_list()]
        groups.append([m for m in members if m])
    return groups


@lru_cache(maxsize=2)
def _dictionary(version: int) -> tuple[frozenset[str], tuple[str, ...]]:
    terms = tuple(SearchTerm.objects.values_list("term", flat=True))
    return frozenset(terms), terms


# --- query parsing -------------------------------------------------------------------------------


def _correct(word: str, known: frozenset[str], choices: tuple[str, ...]) -> str | None:
    """The article word a misspelt English query word most likely meant, if one is close.

    Short words get one edit, longer ones two, a swap of neighbours counting as one
    ("airdorp" → "airdrop"): "pasword" → "password" and "withdrawl" → "withdrawal", but
    "passport" stays itself rather than becoming "password".
    """
    if word in known or len(word) < 4 or not choices:
        return None
    allowed = 1 if len(word) <= 8 else 2
    match = process.extractOne(
        word, choices, scorer=OSA.distance, score_cutoff=allowed, processor=None
    )
    return match[0] if match else None


def parse(text: str) -> ParsedQuery:
    text = " ".join(text.split())[:MAX_QUERY_CHARS]
    groups: list[set[str]] = [{term} for term in dict.fromkeys(analyze(text))]
    version = _version()
    known, choices = _dictionary(version)
    corrections: dict[str, str] = {}
    for word in dict.fromkeys(english_words(text)):
        corrected = _correct(word, known, choices)
        if corrected:
            corrections[word] = corrected
            typo = stem(word)
            for group in groups:
                if typo in group:
                    group.update(analyze(corrected))
    # Synonyms apply to what the customer typed (and its corrections), never to another
    # synonym's expansion: 密码 → 登录密码 must not chain on to 登录 → "sign in".
    present = set().union(*groups) if groups else set()
    for synonyms in _synonym_groups(version):
        matched = [member for member in synonyms if member <= present]
        if not matched:
            continue
        # The terms of the matched member(s) become one group with all equivalents.
        merged = set().union(*synonyms)
        covered = set().union(*matched)
        groups = [g for g in groups if not g & covered] + [merged | covered]
    highlight = query_words(text) + list(corrections.values())
    return ParsedQuery(
        text=text,
        groups=[frozenset(g) for g in groups],
        corrections=corrections,
        highlight=highlight,
    )


# --- snippets ------------------------------------------------------------------------------------

SNIPPET_CHARS = 180


def _highlight_pattern(words: list[str]) -> re.Pattern | None:
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        if is_english_term(word):
            # Match the word's stem as a prefix, so "withdrawals" lights up for "withdrawal".
            parts.append(r"\b" + re.escape(stem(word)[: max(3, len(stem(word)))]) + r"\w*")
        elif word:
            parts.append(re.escape(word))
    if not parts:
        return None
    return re.compile("|".join(parts), re.IGNORECASE)


def snippet(article: Article, words: list[str]) -> str:
    """A short passage of the article around the first match, matches in <mark>."""
    text = plain_text(article.body)
    pattern = _highlight_pattern(words)
    first = pattern.search(text) if pattern else None
    start = 0
    if first:
        start = max(0, first.start() - SNIPPET_CHARS // 3)
        space = text.rfind(" ", 0, start)
        start = space + 1 if space > start - 20 and space != -1 else start
    window = text[start : start + SNIPPET_CHARS]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + SNIPPET_CHARS < len(text) else ""
    if pattern is None:
        return prefix + html.escape(window) + suffix
    pieces, last = [], 0
    for match in pattern.finditer(window):
        pieces.append(html.escape(window[last : match.start()]))
        pieces.append(f"<mark>{html.escape(match.group())}</mark>")
        last = match.end()
    pieces.append(html.escape(window[last:]))
    return prefix + "".join(pieces) + suffix


# --- search --------------------------------------------------------------------------------------


# Candidates the backend ranks; the best of them are re-ranked the same way on every backend.
CANDIDATES = 50
# Fewer articles than this answering every part of a query: also consider partial answers.
MIN_FULL_MATCHES = 10


def _rerank(query: ParsedQuery, found: list[backends.Hit], articles: dict[int, Article]) -> list:
    """Order candidates by how much of the question they answer, then by engine score.

    Full-text engines add up term weights, so an article repeating one common word can
    outrank one that matches every word of the question, and an exact title can lose to a
    long body. Coverage of the query's groups (in the title, and anywhere) counters both.
    Each backend's own score still weighs in, so SQLite and PostgreSQL agree on most top
    results of a small help center but not on every order (docs/benchmarks.md measures it).
    """
    top = max((hit.score for hit in found), default=0.0) or 1.0
    ranked = []
    for hit in found:
        article = articles.get(hit.article_id)
        if article is None:
            continue
        title = set(article.search_title.split())
        anywhere = title | set(article.search_body.split())
        in_title = sum(1 for group in query.groups if group & title) / len(query.groups)
        covered = sum(1 for group in query.groups if group & anywhere) / len(query.groups)
        score = (hit.score / top) * (0.5 + 0.5 * covered) + 0.6 * in_title
        ranked.append((round(score, 6), hit.article_id, article))
    # The requested language stays first whatever the score (see the backends).
    return ranked


def search(text: str, *, language: str, limit: int = 10, offset: int = 0) -> SearchPage:
    """Published articles matching `text`, best first, the requested language before others."""
    query = parse(text)
    if not query.groups:
        return SearchPage(query=query, hits=[], total=0)
    window = max(CANDIDATES, offset + limit)
    backend = backends.current()
    groups = [sorted(group) for group in query.groups]
    # Articles that answer every part of the question first: on a large help center "any
    # word matches" selects most articles, which is slow to rank and buries the answer.
    # Only when too few answer everything do we widen to articles answering some parts.
    found, total = backend.search(groups, language, window, require_all=True)
    if len(groups) > 1 and len(found) < MIN_FULL_MATCHES:
        seen = {hit.article_id for hit in found}
        wider, total = backend.search(groups, language, window, require_all=False)
        found += [hit for hit in wider if hit.article_id not in seen][: window - len(found)]
    articles = Article.objects.select_related("category").in_bulk([hit.article_id for hit in found])
    ranked = _rerank(query, found, articles)
    ranked.sort(key=lambda row: (row[2].language != language, -row[0], row[1]))
    hits = [
        SearchHit(
            article=article,
            score=score,
            snippet=snippet(article, query.highlight),
        )
        for score, _, article in ranked[offset : offset + limit]
    ]
    return SearchPage(query=query, hits=hits, total=total)
