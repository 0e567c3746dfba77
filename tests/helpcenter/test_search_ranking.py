"""Ranking choices a customer notices, and the title index on every backend."""

import pytest

from helpcenter import services
from helpcenter.models import Category, Synonym
from helpcenter.search import backends, engine
from helpcenter.search.index import rebuild

pytestmark = pytest.mark.django_db


def slugs(query: str, language: str = "en") -> list[str]:
    return [h.article.slug for h in engine.search(query, language=language, limit=10).hits]


def _publish(slug: str, title: str, body: str) -> None:
    category, _ = Category.objects.get_or_create(
        slug="general", defaults={"name_en": "General", "name_zh": "通用", "position": 9}
    )
    services.article_create(
        acting_user=None,
        slug=slug,
        language="en",
        title=title,
        body=body,
        category=category,
        status="published",
    )


def test_an_article_in_the_customers_own_words_ranks_above_one_in_synonyms(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.synonym_save(synonym=Synonym(terms="payout, withdrawal"))
    # Written alike, the synonym's article first (ties go to the older article).
    _publish(
        "withdrawals", "Withdrawal limits", "Withdrawal limits depend on your verification level."
    )
    _publish("payouts", "Payout limits", "Payout limits depend on your verification level.")

    assert slugs("limits for a payout") == ["payouts", "withdrawals"]
    assert slugs("limits for a withdrawal") == ["withdrawals", "payouts"]


def test_a_rare_word_weighs_by_its_own_rarity_not_its_synonyms(
    db, django_capture_on_commit_callbacks
):
    """A common synonym must not make a rare word the customer typed count for little."""
    with django_capture_on_commit_callbacks(execute=True):
        services.synonym_save(synonym=Synonym(terms="kyc, verification"))
    for n in range(6):
        _publish(f"verification-{n}", f"Verification fees {n}", "Verification fees explained.")
    _publish("kyc", "KYC fees", "KYC fees explained.")

    assert slugs("kyc fees")[0] == "kyc"


def in_titles(term: str) -> list[int]:
    """Articles whose title holds `term`, from the index's title-only search."""
    return [hit.article_id for hit in backends.current().best_titles(term, "en", 10)]


def test_title_searches_follow_edits_unpublishing_and_rebuilds(kb):
    """Queries matching many articles are looked up in titles only (SQLite keeps a title
    index of its own): it follows the articles like the full index."""
    article = kb[("withdrawal-delayed", "en")]
    assert in_titles("hologram") == []

    services.article_update(
        article=article, acting_user=None, title="Hologram check delays withdrawals"
    )
    assert in_titles("hologram") == [article.pk]
    assert in_titles("delay") == [article.pk]  # the new title's words, in the index's form
    assert rebuild() == len(kb)
    assert in_titles("hologram") == [article.pk]

    services.article_set_status(article=article, status="draft", acting_user=None)
    assert in_titles("hologram") == []


def test_the_page_comes_from_many_candidates_and_counts_them(kb, monkeypatch):
    """Candidates beyond those scored in full are chosen by title; the total says how many
    matched, up to the pool's size."""
    monkeypatch.setattr(engine, "CANDIDATES", 1)
    monkeypatch.setattr(engine, "SCORE_ALL", 0)

    page = engine.search("withdrawal", language="en", limit=1)

    assert [h.article.slug for h in page.hits] == ["withdrawal-delayed"]  # in the title
    assert page.total >= 2  # kyc-levels, which has it in the body only, counted too
