"""The one search function: query → expanded terms → backend → ranked articles with snippets."""

import html
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from django.core.cache import cache
from rapidfuzz import process
from rapidfuzz.distance import OSA

from config.languages import Language
from helpcenter.models import Article, SearchTerm, Synonym
from helpcenter.search import backends
from helpcenter.search.analysis import (
    is_english_term,
    query_words,
    stem,
)
from helpcenter.text import plain_text

MAX_QUERY_CHARS = 200
_VERSION_KEY = "helpcenter:search-version"


@dataclass(frozen=True)
class Group:
    """One thing the customer asked about: a word with its synonyms and its spelling
    correction. A document answers it when it holds every term of any one alternative."""

    alternatives: tuple[frozenset[str], ...]
    required: bool = True  # see analysis.QueryWord.required

    @property
    def terms(self) -> frozenset[str]:
        return frozenset().union(*self.alternatives)

    def as_match(self) -> backends.Match:
        options = tuple(
            sorted(alt)[0] if len(alt) == 1 else backends.All(tuple(sorted(alt)))
            for alt in sorted(self.alternatives, key=sorted)
        )
        return options[0] if len(options) == 1 else backends.AnyOf(options)


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    groups: list[Group]
    corrections: dict[str, str] = field(default_factory=dict)  # typo → dictionary word
    highlight: list[str] = field(default_factory=list)
    # An English question's words as typed, in order: a title holding them as they stand
    # ("how to change your password") is very likely the answer.
    phrase: tuple[str, ...] = ()

    @property
    def terms(self) -> list[str]:
        """Every term of the query, in a stable order."""
        return sorted({t for group in self.groups for t in group.terms})


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
        members = []
        for term in synonym.term_list():
            words = query_words(term)
            # A member is the words it spells (a Chinese pair across two of them is noise).
            spelled = [w.terms for w in words if w.required] or [w.terms for w in words]
            if spelled:
                members.append(frozenset().union(*spelled))
        groups.append(members)
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
    words = query_words(text)
    version = _version()
    known, choices = _dictionary(version)
    corrections: dict[str, str] = {}
    # Per group: the terms as typed, every alternative, and whether it is required.
    typed_terms = [word.terms for word in words]
    alternatives: list[set[frozenset[str]]] = [{word.terms} for word in words]
    required = [word.required for word in words]
    for index, word in enumerate(words):
        if not is_english_term(word.text):
            continue
        corrected = _correct(word.text, known, choices)
        if corrected:
            corrections[word.text] = corrected
            alternatives[index].add(frozenset([stem(corrected)]))
    # Synonyms apply to what the customer typed (and its corrections), never to another
    # synonym's expansion: 密码 → 登录密码 must not chain on to 登录 → "sign in".
    present = set().union(*(alt for alts in alternatives for alt in alts)) if words else set()
    for synonyms in _synonym_groups(version):
        covered = set().union(*(member for member in synonyms if member <= present))
        if not covered:
            continue
        # The words the matched member spells become one group: those words together, or
        # any equivalent.
        merged_at = [i for i, alts in enumerate(alternatives) if any(a <= covered for a in alts)]
        if not merged_at:
            continue
        together = frozenset().union(*(typed_terms[i] for i in merged_at))
        keep = [i for i in range(len(alternatives)) if i not in merged_at]
        typed_terms = [typed_terms[i] for i in keep] + [together]
        alternatives = [alternatives[i] for i in keep] + [{together, *synonyms}]
        required = [required[i] for i in keep] + [any(required[i] for i in merged_at)]
    groups = [
        Group(alternatives=tuple(sorted(alts, key=sorted)), required=needed)
        for alts, needed in zip(alternatives, required, strict=True)
    ]
    typed = [next(iter(w.terms)) for w in words if w.required and len(w.terms) == 1]
    phrase = tuple(typed) if len(typed) >= 2 and all(is_english_term(t) for t in typed) else ()
    return ParsedQuery(
        text=text,
        groups=groups,
        corrections=corrections,
        # What snippets mark: the words as typed, and what their typos meant.
        highlight=[word.text for word in words] + list(corrections.values()),
        phrase=phrase if len(phrase) == sum(w.required for w in words) else (),
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


# --- search ------------------------------------------------------------------------------------

# Candidates each backend query returns, ranked by the backend's own score; all of them are
# then scored the same way on every backend (`_score`).
CANDIDATES = 50
# Fewer candidates than this: relax the query (require one part fewer) and look again.
MIN_RESULTS = 10
# A query expected to match more documents than this is looked up in titles only. Ranking
# costs time per matching document, and a question made of common words ("change password")
# would otherwise rank a large part of a big help center, for answers that are nearly always
# titled with those words anyway. Far fewer titles than bodies match, and on PostgreSQL
# titles have an index of their own.
FULL_TEXT_CAP = 5000
# Titles alone say less than whole articles, and many near-identical titles can rank above
# the answer: take more title matches (cheap to rank) for _score to choose from.
TITLE_WINDOW_FACTOR = 4
# More quorum subsets than this at one relaxation step: keep those of the rarest words.
MAX_SUBSETS = 24
# Words a query matches with (the rarest ones), and how many times at most it is relaxed:
# a long colloquial question must not cost a dozen index lookups.
MAX_MATCH_WORDS, MAX_RELAXATIONS = 6, 2
PHRASE_BONUS = 1.5
# BM25F: saturation, length normalization, title weight, and the length of a typical
# article in index terms.
K1, B, TITLE_WEIGHT, TYPICAL_LENGTH = 1.2, 0.75, 4.0, 400.0
OPTIONAL_WEIGHT = 0.5  # a Chinese pair across words counts half a word


def _idf(df: int, documents: int) -> float:
    return math.log(1 + (documents - df + 0.5) / (df + 0.5))


def _group_df(group: Group, df: dict[str, int]) -> int:
    # An alternative matches where all its terms are: at most its rarest term's count.
    return max(min(df.get(t, 0) for t in alt) for alt in group.alternatives)


def _quorum(groups: list[Group], size: int, df: dict[str, int]) -> tuple[backends.Match, int]:
    """Documents answering at least `size` of `groups`, and an upper bound of their number."""
    subsets = sorted(
        combinations(groups, size),
        key=lambda subset: min(_group_df(g, df) for g in subset),
    )[:MAX_SUBSETS]
    parts = tuple(
        subset[0].as_match() if size == 1 else backends.All(tuple(g.as_match() for g in subset))
        for subset in subsets
    )
    expected = sum(min(_group_df(g, df) for g in subset) for subset in subsets)
    return (parts[0] if len(parts) == 1 else backends.AnyOf(parts)), expected


def _candidates(
    backend: backends.Backend,
    groups: list[Group],
    phrase: tuple[str, ...],
    df: dict[str, int],
    language: str,
    window: int,
    *,
    relax: bool = True,
) -> tuple[list[int], tuple[backends.Match, bool] | None]:
    """Article ids worth scoring, from the strictest query that finds enough: every word,
    then all but one, and so on. Also the query to count matches with (match, title only),
    when the ids stopped at the window."""
    required = [g for g in groups if g.required] or groups
    # The rarest words say the most about what is asked; the others still count in _score.
    required = sorted(required, key=lambda g: _group_df(g, df))[:MAX_MATCH_WORDS]
    found: dict[int, None] = {}  # ids in the order found
    to_count = None
    if phrase:
        hits = backend.search(backends.Phrase(phrase), language, window, title_only=True)
        found.update(dict.fromkeys(hit.article_id for hit in hits))
    for step, size in enumerate(range(len(required), 0, -1)):
        if step > MAX_RELAXATIONS:
            break
        match, expected = _quorum(required, size, df)
        # Whole articles when few can match (title words weigh most in the backend's
        # score anyway); titles alone otherwise.
        title_only = expected > FULL_TEXT_CAP
        limit = window * TITLE_WINDOW_FACTOR if title_only else window
        hits = backend.search(match, language, limit, title_only=title_only)
        found.update(dict.fromkeys(hit.article_id for hit in hits))
        # Counted only for the strict query (an intersection, cheap to count); a relaxed
        # one is an OR of many, as costly to count as to rank: its results stop at the
        # window (a deeper page asks for a wider one).
        strict = size == len(required)
        to_count = (match, title_only) if strict and len(hits) >= limit else None
        if len(found) >= MIN_RESULTS or not relax:
            break
    return list(found), to_count


def _title_score(title: str, wanted: frozenset[str], idf: dict[Group, float]) -> float:
    """How much of the question a title answers, weighted by rarity."""
    present = wanted.intersection(title.split())
    return sum(
        weight for group, weight in idf.items() if any(alt <= present for alt in group.alternatives)
    )


def _field_counts(terms: str, wanted: frozenset[str]) -> tuple[Counter, int]:
    tokens = terms.split()
    return Counter(t for t in tokens if t in wanted), len(tokens)


def _score(query: ParsedQuery, article: Article, idf: dict[Group, float]) -> float:
    """BM25F over the query's groups, computed here so that both backends rank alike,
    scaled by how much of the question the article answers, plus a bonus for answering it
    in the title."""
    wanted = frozenset(query.terms)
    in_title, title_length = _field_counts(article.search_title, wanted)
    in_body, body_length = _field_counts(article.search_body, wanted)
    length = TITLE_WEIGHT * title_length + body_length
    norm = K1 * (1 - B + B * length / TYPICAL_LENGTH)
    total = answered = titled = bm25 = 0.0
    for group, weight in idf.items():
        title_tf = max(min(in_title[t] for t in alt) for alt in group.alternatives)
        body_tf = max(min(in_body[t] for t in alt) for alt in group.alternatives)
        tf = TITLE_WEIGHT * title_tf + body_tf
        bm25 += weight * tf * (K1 + 1) / (tf + norm)
        if group.required:
            total += weight
            answered += weight if tf else 0.0
            titled += weight if title_tf else 0.0
    coverage = answered / total if total else 1.0
    score = bm25 * (0.5 + 0.5 * coverage) + 2.0 * (titled / total if total else 0.0)
    if query.phrase and _holds_phrase(article.search_title.split(), query.phrase):
        score += PHRASE_BONUS
    return score


def _holds_phrase(terms: list[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(terms[i : i + size]) == phrase for i in range(len(terms) - size + 1))


def search(text: str, *, language: str, limit: int = 10, offset: int = 0) -> SearchPage:
    """Published articles matching `text`, best first, the requested language before others."""
    query = parse(text)
    if not query.groups:
        return SearchPage(query=query, hits=[], total=0)
    window = max(CANDIDATES, offset + limit)
    backend = backends.current()
    df, documents = backend.frequencies(query.terms)
    idf = {
        group: _idf(_group_df(group, df), documents) * (1.0 if group.required else OPTIONAL_WEIGHT)
        for group in query.groups
    }
    # The requested language first; others only to fill a page it cannot fill alone.
    found: list[int] = []
    total = 0
    for lang in [language, *(code for code in Language.values if code != language)]:
        if len(found) >= offset + limit:
            break
        # Other languages only fill a page the requested one cannot, with the strict query.
        batch, to_count = _candidates(
            backend, query.groups, query.phrase, df, lang, window, relax=lang == language
        )
        counted = 0
        if to_count is not None:
            counted = backend.count(to_count[0], lang, title_only=to_count[1])
        total += max(len(batch), counted)
        found += batch
    articles = Article.objects.select_related("category").in_bulk(found)
    if len(articles) > CANDIDATES:
        # Many title matches: keep the best by their titles before reading whole articles.
        wanted = frozenset(query.terms)
        by_title = sorted(
            articles.values(),
            key=lambda a: (-_title_score(a.search_title, wanted, idf), a.pk),
        )
        articles = {a.pk: a for a in by_title[: max(CANDIDATES, offset + limit)]}
    ranked = sorted(
        (
            (article.language != language, -round(_score(query, article, idf), 6), pk, article)
            for pk, article in articles.items()
        ),
        key=lambda row: row[:3],
    )
    hits = [
        SearchHit(article=article, score=-negative, snippet=snippet(article, query.highlight))
        for _, negative, _, article in ranked[offset : offset + limit]
    ]
    return SearchPage(query=query, hits=hits, total=max(total, len(ranked)))
