"""Text → index terms, the same way at index time and at query time.

Chinese has no spaces, so a query word like 提币 must be found inside 提币地址. Each run of
Chinese characters yields jieba's words (search mode, which also emits the shorter words
inside long ones) plus every overlapping character bigram: jieba sometimes splits the same
word differently in a document and in a query (到账 → 到 / 账), and the bigrams still meet.
English is case- and accent-folded and reduced to Snowball stems, so "withdrawals" finds
"withdraw". Network names are glued ("TRC-20" = "trc20") because customers type both.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import rjieba
import Stemmer

_stemmer = Stemmer.Stemmer("english")

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"[a-z0-9]+|[{_CJK}]+")
_GLUE_RE = re.compile(r"\b([a-z]{2,5})[-\s](20|721|1155)\b")  # trc-20, erc 20, bep-20

ENGLISH_STOPWORDS = frozenset(
    """
    a an and are as at be but by can do does for from have how i if in is it its me my no
    not of on or our so that the their there this to was we what when where which who why
    will with you your please hi hello
    """.split()  # noqa: SIM905 - a word list reads best as text
)
# Function words that say nothing about the topic; content bigrams are kept.
CHINESE_STOPWORDS = frozenset(
    """
    如何 怎么 怎么办 怎样 为什么 什么 请问 你们 我们 我的 一下 一个 可以 需要
    是否 没有 还是 已经 这个 那个 吗 呢 吧 了 的 是 我 你 在 和 与 及 或
    """.split()  # noqa: SIM905 - a word list reads best as text
)


def fold(text: str) -> str:
    """Width, case and accents folded: Ｕｓｄｔ → usdt, Café → cafe."""
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _GLUE_RE.sub(r"\1\2", text)


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def _chinese_terms(run: str) -> list[str]:
    terms = [w for w in rjieba.cut_for_search(run) if len(w) > 1 and w not in CHINESE_STOPWORDS]
    terms += [
        b for b in (run[i : i + 2] for i in range(len(run) - 1)) if b not in CHINESE_STOPWORDS
    ]
    if len(run) == 1 and run not in CHINESE_STOPWORDS:
        terms.append(run)
    return terms


def analyze(text: str) -> list[str]:
    """Index terms of `text`, in order, repeats kept (term frequency matters for ranking)."""
    terms: list[str] = []
    for match in _TOKEN_RE.finditer(fold(text)):
        token = match.group()
        if "a" <= token[0] <= "z" or token[0].isdigit():
            if token not in ENGLISH_STOPWORDS:
                terms.append(stem(token) if token.isalpha() else token)
        else:
            terms.extend(_chinese_terms(token))
    return terms


@dataclass(frozen=True)
class QueryWord:
    """One thing a query asks about, with the index terms a document must all contain."""

    text: str  # as typed (folded), what typo correction and highlighting work on
    terms: frozenset[str]
    # False for a pair of Chinese characters straddling two words: it often carries meaning
    # that the word split lost (充值没到账 splits 充值 / 没到 / 账, and 到账 is only such a
    # pair), so it counts towards an article's score, but is never required to match.
    required: bool = True


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def query_words(text: str) -> list[QueryWord]:
    """What a query asks about, word by word.

    An English word is its stem. A Chinese word is all of its character pairs: documents
    hold every pair of every run of Chinese, so the word matches however jieba happens to
    split the document (提币地址 as one word or as 提币 / 地址). Stopwords and single
    characters inside longer runs drop out (their pairs stay, as optional words).
    """
    words: list[QueryWord] = []
    for match in _TOKEN_RE.finditer(fold(text)):
        token = match.group()
        if "a" <= token[0] <= "z" or token[0].isdigit():
            if token not in ENGLISH_STOPWORDS:
                term = stem(token) if token.isalpha() else token
                words.append(QueryWord(token, frozenset([term])))
            continue
        if len(token) == 1:
            if token not in CHINESE_STOPWORDS:
                words.append(QueryWord(token, frozenset([token])))
            continue
        covered: set[str] = set()
        for word in rjieba.cut(token):
            if len(word) < 2 or word in CHINESE_STOPWORDS:
                continue
            pairs = frozenset(_bigrams(word))
            covered |= pairs
            words.append(QueryWord(word, pairs))
        for pair in _bigrams(token):
            if pair not in covered and pair not in CHINESE_STOPWORDS:
                covered.add(pair)
                words.append(QueryWord(pair, frozenset([pair]), required=False))
    unique: dict[frozenset[str], QueryWord] = {}
    for word in words:
        known = unique.get(word.terms)
        if known is None or (word.required and not known.required):
            unique[word.terms] = word
    return list(unique.values())


def english_words(text: str) -> list[str]:
    """The English words of `text` as written (folded, not stemmed, no stopwords)."""
    return [
        token
        for token in _TOKEN_RE.findall(fold(text))
        if token.isascii() and token.isalpha() and token not in ENGLISH_STOPWORDS
    ]


def is_english_term(term: str) -> bool:
    return term.isascii() and term.isalpha()
