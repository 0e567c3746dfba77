"""The one search function: query → expanded terms → backend → ranked articles with snippets."""

import html
import math
import re
import secrets
from collections import Counter
from collections.abc import Callable
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


@dataclass(frozen=True)
class Group:
    """One thing the customer asked about: a word with its synonyms and its spelling
    correction. A document answers it when it holds every term of any one alternative."""

    alternatives: tuple[frozenset[str], ...]
    required: bool = True  # see analysis.QueryWord.required
    # The alternatives the customer typed (or meant, when misspelt); the others are
    # synonyms, which answer the question a little less surely than the words themselves.
    typed: frozenset[frozenset[str]] = frozenset()

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


# --- per-process caches, renewed through tokens in the shared cache ---------------------------

_DICTIONARIES_KEY = "helpcenter:search-dictionaries-token"  # synonyms, the term dictionary
_INDEX_KEY = "helpcenter:search-index-token"  # the documents in the index


def _token(key: str) -> str:
    """The token under `key`: what a process caches under one token is good until it
    changes. A missing token (never set, or evicted) is replaced by a random new one, so
    nothing cached before is trusted; a counter starting again at 1 could meet a process
    still holding what it cached under 1."""
    token = cache.get(key)
    if token is None:
        cache.add(key, secrets.token_hex(8), timeout=None)
        token = cache.get(key)
    return str(token)


def _renew(key: str) -> None:
    cache.set(key, secrets.token_hex(8), timeout=None)


def invalidate() -> None:
    """Synonyms or the term dictionary changed: every process reloads them on next use."""
    _renew(_DICTIONARIES_KEY)


def index_changed() -> None:
    """Documents went in or out of the index: every process reads term frequencies again."""
    _renew(_INDEX_KEY)


@lru_cache(maxsize=2)
def _synonym_groups(token: str) -> list[list[frozenset[str]]]:
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
def _dictionary(token: str) -> tuple[frozenset[str], tuple[str, ...]]:
    terms = tuple(SearchTerm.objects.values_list("term", flat=True))
    return frozenset(terms), terms


# Term frequencies: past this many terms the cache starts again (a bound on memory).
MAX_CACHED_TERMS = 200_000


@dataclass
class _Frequencies:
    token: str
    documents: int
    df: dict[str, int]


_cached_frequencies: _Frequencies | None = None


def _frequencies(backend: backends.Backend, terms: list[str]) -> tuple[dict[str, int], int]:
    """Documents holding each term, and documents in all, as `backend.frequencies` answers;
    terms already asked for since the index last changed are answered from memory.

    Query words repeat from one search to the next, and on SQLite fts5vocab counts a
    term's documents by reading its whole list of documents: about 3 ms a query at 100k
    articles.
    """
    global _cached_frequencies
    token = _token(_INDEX_KEY)
    cached = _cached_frequencies
    if cached is None or cached.token != token or len(cached.df) > MAX_CACHED_TERMS:
        found, documents = backend.frequencies(terms)
        cached = _Frequencies(token, documents, {t: found.get(t, 0) for t in terms})
        _cached_frequencies = cached
    else:
        missing = [t for t in terms if t not in cached.df]
        if missing:
            found, _ = backend.frequencies(missing)
            cached.df.update({t: found.get(t, 0) for t in missing})
    return {t: cached.df[t] for t in terms if cached.df[t]}, cached.documents


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
    token = _token(_DICTIONARIES_KEY)
    known, choices = _dictionary(token)
    corrections: dict[str, str] = {}
    # Per group: the terms as typed, every alternative, and whether it is required.
    typed_terms = [word.terms for word in words]
    alternatives: list[set[frozenset[str]]] = [{word.terms} for word in words]
    typed: list[set[frozenset[str]]] = [{word.terms} for word in words]
    required = [word.required for word in words]
    for index, word in enumerate(words):
        if not is_english_term(word.text):
            continue
        corrected = _correct(word.text, known, choices)
        if corrected:
            corrections[word.text] = corrected
            alternatives[index].add(frozenset([stem(corrected)]))
            typed[index].add(frozenset([stem(corrected)]))
    # Synonyms apply to what the customer typed (and its corrections), never to another
    # synonym's expansion: 密码 → 登录密码 must not chain on to 登录 → "sign in".
    present = set().union(*(alt for alts in alternatives for alt in alts)) if words else set()
    for synonyms in _synonym_groups(token):
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
        options = {together, *synonyms}
        # What was typed stays typed: the merged words together, and the corrections that
        # are among the synonyms ("liquidaton" meant "liquidation").
        kept_typed = {a for i in merged_at for a in typed[i] if a in options}
        alternatives = [alternatives[i] for i in keep] + [options]
        typed = [typed[i] for i in keep] + [{together, *kept_typed}]
        required = [required[i] for i in keep] + [any(required[i] for i in merged_at)]
    groups = [
        Group(alternatives=tuple(sorted(alts, key=sorted)), required=needed, typed=frozenset(own))
        for alts, own, needed in zip(alternatives, typed, required, strict=True)
    ]
    single = [next(iter(w.terms)) for w in words if w.required and len(w.terms) == 1]
    phrase = tuple(single) if len(single) >= 2 and all(is_english_term(t) for t in single) else ()
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

# Articles scored in full (`_score`, the same way on every backend): all of them when
# there are at most SCORE_ALL, otherwise the best CANDIDATES by their titles alone.
CANDIDATES, SCORE_ALL = 30, 100
# Matches each backend query returns, for the choice above. Many near-identical articles
# can rank above the answer by the backend's own score; titles are cheap to score, and they
# come with the matches. One more than COUNT_CAP: a full pool is how the results page knows
# to say "more than COUNT_CAP", with no count query of its own.
POOL = backends.COUNT_CAP + 1
# Fewer candidates than this: relax the query (require one part fewer) and look again.
MIN_RESULTS = 10
# Whole articles are searched only when all their matches probably fit in the pool, and
# then fetched without ranking; otherwise the backend ranks title matches. Ranking whole
# articles costs time per match (reading each one's terms), and a question made of common
# words ("change password") would otherwise rank a large part of a big help center, for
# answers that are nearly always titled with those words anyway. Far fewer titles than
# bodies match, and titles have an index of their own. "Probably": at most this many times
# what the words would match if they occurred independently of each other (topic words go
# together, so that estimate is low), and never more than the rarest word's documents.
ESTIMATE_MARGIN = 8.0
# More quorum subsets than this at one relaxation step: keep those of the rarest words.
MAX_SUBSETS = 24
# Words a query matches with (the rarest ones), and how many times at most it is relaxed:
# a long colloquial question must not cost a dozen index lookups.
MAX_MATCH_WORDS, MAX_RELAXATIONS = 6, 2
PHRASE_BONUS = 1.5
# Added for answering the whole question in the title (scaled by the share answered there).
TITLE_BONUS = 1.0
# BM25F: saturation, length normalization, title weight, and the length of a typical
# article in index terms (title terms counted TITLE_WEIGHT times). Length is normalized
# only half way: a thorough article mentions the topic more often because it says more
# about it, and short articles that merely name the topic are rarely the answer.
K1, B, TITLE_WEIGHT, TYPICAL_LENGTH = 2.0, 0.5, 3.0, 800.0
OPTIONAL_WEIGHT = 0.5  # a Chinese pair across words counts half a word
# A synonym counts this much of what it would as the customer's own word: an article in
# the customer's words is the likelier answer, all else equal.
SYNONYM_WEIGHT = 0.6


def _idf(df: int, documents: int) -> float:
    return math.log(1 + (documents - df + 0.5) / (df + 0.5))


@dataclass(frozen=True)
class Weight:
    """How much a group counts: `total` for coverage, and per alternative what a match of
    that alternative is worth (its own rarity: a common synonym must not make the
    customer's rare word look common, nor a rare synonym outweigh it)."""

    total: float
    alternatives: tuple[tuple[frozenset[str], float], ...]


def _weights(groups: list[Group], df: dict[str, int], documents: int) -> dict[Group, Weight]:
    weights = {}
    for group in groups:
        scale = 1.0 if group.required else OPTIONAL_WEIGHT
        alternatives = []
        for alt in group.alternatives:
            alt_df = min(df.get(t, 0) for t in alt)
            if alt_df:
                factor = 1.0 if alt in group.typed or not group.typed else SYNONYM_WEIGHT
                alternatives.append((alt, scale * factor * _idf(alt_df, documents)))
        group_idf = scale * _idf(_group_df(group, df), documents)
        total = max((w for _, w in alternatives), default=group_idf)
        weights[group] = Weight(total=total, alternatives=tuple(alternatives))
    return weights


def _group_df(group: Group, df: dict[str, int]) -> int:
    # An alternative matches where all its terms are: at most its rarest term's count.
    return max(min(df.get(t, 0) for t in alt) for alt in group.alternatives)


@dataclass(frozen=True)
class Quorum:
    """Documents answering at least some of the query's groups, and how many there are: at
    most `bound`; about `estimate` if the words occurred independently of each other (they
    do not: documents about a topic share its words, so it is only a lower guess)."""

    match: backends.Match
    bound: int
    estimate: float


def _quorum(groups: list[Group], size: int, df: dict[str, int], documents: int) -> Quorum:
    """Documents answering at least `size` of `groups`."""
    subsets = sorted(
        combinations(groups, size),
        key=lambda subset: min(_group_df(g, df) for g in subset),
    )[:MAX_SUBSETS]
    parts = tuple(
        subset[0].as_match() if size == 1 else backends.All(tuple(g.as_match() for g in subset))
        for subset in subsets
    )
    share = {g: _group_df(g, df) / max(documents, 1) for g in groups}
    return Quorum(
        match=parts[0] if len(parts) == 1 else backends.AnyOf(parts),
        bound=sum(min(_group_df(g, df) for g in subset) for subset in subsets),
        estimate=sum(documents * math.prod(share[g] for g in subset) for subset in subsets),
    )


def _candidates(
    backend: backends.Backend,
    groups: list[Group],
    phrase: tuple[str, ...],
    df: dict[str, int],
    documents: int,
    language: str,
    window: int,
    *,
    relax: bool = True,
) -> dict[int, str]:
    """Articles worth scoring (id → title terms), from the strictest query that finds
    enough: every word, then all but one, and so on. As many as the window holds: a full
    window means more matches than a results page counts (POOL)."""
    required = [g for g in groups if g.required] or groups
    # The rarest words say the most about what is asked; the others still count in _score.
    required = sorted(required, key=lambda g: _group_df(g, df))[:MAX_MATCH_WORDS]
    found: dict[int, str] = {}  # id → title terms
    if phrase:
        hits = backend.best_titles(backends.Phrase(phrase), language, window)
        found.update((hit.article_id, hit.title) for hit in hits)
    for step, size in enumerate(range(len(required), 0, -1)):
        if step > MAX_RELAXATIONS:
            break
        quorum = _quorum(required, size, df, documents)
        hits = []
        whole = min(quorum.bound, quorum.estimate * ESTIMATE_MARGIN) <= window
        if whole:
            # Probably all fit in the window: whole articles, fetched without ranking (which
            # costs time per match); _rank chooses among all of them.
            hits = backend.matching(quorum.match, language, window)
        if len(hits) >= window or not whole:
            # Too many: the backend's best titles.
            hits = backend.best_titles(quorum.match, language, window)
        for hit in hits:
            found.setdefault(hit.article_id, hit.title)
        if len(found) >= MIN_RESULTS or not relax:
            break
    return found


def _title_scorer(weights: dict[Group, Weight]) -> Callable[[str], float]:
    """How much of the question a title (its terms) answers, weighted by rarity: per group,
    its best alternative the title holds. Called for up to POOL titles per search, so the
    alternatives are indexed by term once, and equal titles scored once."""
    wanted: set[str] = set()
    by_term: dict[str, list[tuple[int, frozenset[str], float]]] = {}
    for number, weight in enumerate(weights.values()):
        for alt, w in weight.alternatives:
            wanted |= alt
            # An alternative is looked at when its first term is in the title.
            by_term.setdefault(min(alt), []).append((number, alt, w))
    scores: dict[str, float] = {}

    def score(title: str) -> float:
        known = scores.get(title)
        if known is not None:
            return known
        present = wanted.intersection(title.split())
        best: dict[int, float] = {}
        for term in present:
            for number, alt, w in by_term.get(term, ()):
                if w > best.get(number, 0.0) and alt <= present:
                    best[number] = w
        # Summed in the groups' order: a sum in the set's (per-process) order could differ
        # in the last bit, and titles tied on their words must stay tied.
        scores[title] = total = sum(best[number] for number in sorted(best))
        return total

    return score


def _field_counts(terms: str) -> tuple[Counter, int]:
    # Counting every term (in C) is faster than picking the wanted ones in Python.
    tokens = terms.split()
    return Counter(tokens), len(tokens)


def _score(query: ParsedQuery, title: str, body: str, weights: dict[Group, Weight]) -> float:
    """BM25F over the query's groups (`title` and `body`: an article's index terms),
    computed here so that both backends rank alike, scaled by how much of the question the
    article answers, plus a bonus for answering it in the title."""
    in_title, title_length = _field_counts(title)
    in_body, body_length = _field_counts(body)
    length = TITLE_WEIGHT * title_length + body_length
    norm = K1 * (1 - B + B * length / TYPICAL_LENGTH)
    total = answered = titled = bm25 = 0.0
    for group, weight in weights.items():
        best = in_title_best = 0.0
        for alt, alt_weight in weight.alternatives:
            # .get: a Counter's own lookup of a missing term runs Python code.
            if len(alt) == 1:
                (term,) = alt
                title_tf, body_tf = in_title.get(term, 0), in_body.get(term, 0)
            else:
                title_tf = min(in_title.get(t, 0) for t in alt)
                body_tf = min(in_body.get(t, 0) for t in alt)
            tf = TITLE_WEIGHT * title_tf + body_tf
            best = max(best, alt_weight * tf * (K1 + 1) / (tf + norm))
            in_title_best = max(in_title_best, alt_weight if title_tf else 0.0)
        bm25 += best
        if group.required:
            total += weight.total
            answered += weight.total if best else 0.0
            titled += in_title_best
    coverage = answered / total if total else 1.0
    score = bm25 * (0.5 + 0.5 * coverage) + TITLE_BONUS * (titled / total if total else 0.0)
    if query.phrase and _holds_phrase(title.split(), query.phrase):
        score += PHRASE_BONUS
    return score


def _holds_phrase(terms: list[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(terms[i : i + size]) == phrase for i in range(len(terms) - size + 1))


def _rank(
    query: ParsedQuery,
    weights: dict[Group, Weight],
    titles: dict[int, str],
    language: str,
    keep: int,
) -> list[tuple[int, float]]:
    """(article id, score) of the candidates (`titles`: id → title terms), best first, the
    requested language first. With more candidates than `keep` (and SCORE_ALL), only the
    best `keep` by title are scored in full (reading the index terms stored on the
    articles): chosen the same way on every backend, whatever order the backend found them
    in.
    """
    ids = list(titles)
    if len(ids) > max(keep, SCORE_ALL):
        title_score = _title_scorer(weights)
        ids = sorted(ids, key=lambda pk: (-title_score(titles[pk]), pk))[:keep]
    rows = Article.objects.filter(pk__in=ids)
    scored = sorted(
        (
            article_language != language,
            -round(_score(query, title, body, weights), 6),
            pk,
        )
        for pk, article_language, title, body in rows.values_list(
            "pk", "language", "search_title", "search_body"
        )
    )
    return [(pk, -negative) for _, negative, pk in scored]


def search(text: str, *, language: str, limit: int = 10, offset: int = 0) -> SearchPage:
    """Published articles matching `text`, best first, the requested language before others."""
    query = parse(text)
    if not query.groups:
        return SearchPage(query=query, hits=[], total=0)
    window = max(POOL, offset + limit)
    backend = backends.current()
    df, documents = _frequencies(backend, query.terms)
    weights = _weights(query.groups, df, documents)
    # The requested language first; others only to fill a page it cannot fill alone.
    found: dict[int, str] = {}
    total = 0
    for lang in [language, *(code for code in Language.values if code != language)]:
        if len(found) >= offset + limit:
            break
        # Other languages only fill a page the requested one cannot, with the strict query.
        batch = _candidates(
            backend,
            query.groups,
            query.phrase,
            df,
            documents,
            lang,
            window,
            relax=lang == language,
        )
        total += len(batch)
        found.update(batch)
    keep = max(CANDIDATES, offset + limit)
    ranked = _rank(query, weights, found, language, keep)
    page_ids = [pk for pk, _ in ranked[offset : offset + limit]]
    # Whole articles only for the page shown.
    articles = Article.objects.select_related("category").in_bulk(page_ids)
    hits = [
        SearchHit(article=articles[pk], score=score, snippet=snippet(articles[pk], query.highlight))
        for pk, score in ranked[offset : offset + limit]
        if pk in articles  # deleted meanwhile
    ]
    return SearchPage(query=query, hits=hits, total=max(total, len(ranked)))
