"""Editors manage the knowledge base in the admin."""

import pytest
from django.test import Client

from helpcenter import services
from helpcenter.models import Article, ArticleRevision, Deflection, SearchLog
from helpcenter.search import engine

pytestmark = pytest.mark.django_db


def _admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_editor_writes_an_article_in_the_admin_and_readers_find_it(kb, kb_editor):
    category = kb[("change-password", "en")].category

    response = _admin(kb_editor).post(
        "/admin/helpcenter/article/add/",
        {
            "title": "Set up a withdrawal address whitelist",
            "slug": "address-whitelist",
            "language": "en",
            "category": category.pk,
            "status": "published",
            "body": "## Why\nOnly whitelisted addresses can receive withdrawals.",
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    hits = engine.search("whitelist", language="en").hits
    assert hits[0].article.slug == "address-whitelist"
    assert hits[0].article.updated_by == kb_editor


def test_change_page_previews_sanitized_markdown_and_the_translation(kb, kb_editor):
    article = kb[("change-password", "en")]
    services.article_update(
        article=article, acting_user=kb_editor, body="## Steps\n<script>x()</script>"
    )

    html = _admin(kb_editor).get(f"/admin/helpcenter/article/{article.pk}/change/").content
    text = html.decode()

    assert '<h2 id="steps">Steps</h2>' in text
    assert "<script>x()</script>" not in text
    assert "如何修改登录密码" in text  # the Chinese version, side by side


def test_editor_restores_an_older_revision(kb, kb_editor):
    article = kb[("reset-2fa", "en")]
    services.article_update(article=article, acting_user=kb_editor, title="Broken title")
    original = ArticleRevision.objects.filter(article=article).order_by("created_at").first()

    client = _admin(kb_editor)
    confirm = client.get(f"/admin/helpcenter/article/revisions/{original.pk}/restore/")
    response = client.post(f"/admin/helpcenter/article/revisions/{original.pk}/restore/")

    assert confirm.status_code == 200
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Lost your Google Authenticator? Reset 2FA"
    assert article.revisions.count() == 3  # created, broken, restored


def test_unpublish_action_hides_the_article(kb, kb_editor):
    article = kb[("withdrawal-delayed", "en")]

    _admin(kb_editor).post(
        "/admin/helpcenter/article/",
        {"action": "make_draft", "_selected_action": [article.pk]},
    )

    article.refresh_from_db()
    assert article.status == "draft"
    assert "withdrawal-delayed" not in [
        h.article.slug
        for h in engine.search("withdrawal", language="en").hits
        if h.article.language == "en"
    ]


def test_deleting_in_the_admin_removes_from_search(kb, kb_editor, supervisor):
    article = kb[("futures-liquidation", "en")]
    from django.contrib.auth.models import Permission

    kb_editor.user_permissions.add(Permission.objects.get(codename="delete_article"))

    _admin(kb_editor).post(f"/admin/helpcenter/article/{article.pk}/delete/", {"post": "yes"})

    assert not Article.objects.filter(pk=article.pk).exists()
    assert "futures-liquidation" not in [
        h.article.slug
        for h in engine.search("liquidation", language="en").hits
        if h.article.language == "en"
    ]


def test_search_log_lists_queries_that_found_nothing(kb, kb_editor):
    services.search_logged(query="staking rewards", language="en", results=0)
    services.search_logged(query="staking rewards", language="en", results=0)
    services.search_logged(query="deposit", language="en", results=4)

    response = _admin(kb_editor).get("/admin/helpcenter/searchlog/")

    gaps = list(response.context["gaps"])
    assert gaps[0]["query"] == "staking rewards"
    assert gaps[0]["zero_results"] == 2
    assert "Articles to write" in response.content.decode()


def test_deflection_rate_is_shown(kb, kb_editor):
    Deflection.objects.create(token="a", query="x", language="en", outcome="deflected")
    Deflection.objects.create(token="b", query="y", language="en", outcome="deflected")
    Deflection.objects.create(token="c", query="z", language="en", outcome="submitted")

    response = _admin(kb_editor).get("/admin/helpcenter/deflection/")

    assert "Deflection rate: <strong>67 %</strong>" in response.content.decode()


def test_agents_read_feedback_and_search_log_but_do_not_edit_articles(kb, agent):
    client = _admin(agent)
    article = kb[("reset-2fa", "en")]

    assert client.get("/admin/helpcenter/searchlog/").status_code == 200
    assert client.get("/admin/helpcenter/articlefeedback/").status_code == 200
    client.post(
        f"/admin/helpcenter/article/{article.pk}/change/",
        {
            "title": "x",
            "slug": "reset-2fa",
            "language": "en",
            "category": article.category_id,
            "status": "published",
            "body": "x",
        },
    )
    article.refresh_from_db()
    assert article.title != "x"


def test_search_click_is_logged_through_the_redirect(kb):
    log = services.search_logged(query="2fa", language="en", results=1)
    article = kb[("reset-2fa", "en")]

    response = Client().get(f"/search/{log.pk}/open/{article.pk}/")

    assert response.status_code == 302
    assert SearchLog.objects.get(pk=log.pk).clicked == article
