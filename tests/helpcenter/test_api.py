import pytest

from helpcenter.models import Article, ArticleRevision, Deflection
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(kb_editor):
    return kb_editor


NEW_ARTICLE = {
    "slug": "sub-accounts",
    "language": "en",
    "title": "Create a sub-account",
    "body": "## Steps\n1. Open **Sub-accounts**.\n2. Click *Create*.",
    "category": "account-security",
    "status": "published",
}


def test_anyone_reads_published_articles_and_categories(kb):
    client = api_client_for()

    articles = client.get("/api/v1/kb/articles/?language=zh-hans").json()
    categories = client.get("/api/v1/kb/categories/").json()

    assert articles["count"] == 6
    assert {a["language"] for a in articles["results"]} == {"zh-hans"}
    assert {c["slug"] for c in categories["results"]} == {"account-security", "deposits"}
    first = articles["results"][0]
    assert set(first) >= {
        "id",
        "slug",
        "language",
        "title",
        "body",
        "category",
        "status",
        "url",
        "updated_at",
    }


def test_drafts_are_invisible_to_the_public_and_customers(kb, customer):
    draft = kb[("reset-2fa", "en")]
    Article.objects.filter(pk=draft.pk).update(status="draft")

    for client in (api_client_for(), api_client_for(customer.user)):
        assert client.get(f"/api/v1/kb/articles/{draft.pk}/").status_code == 404
        listed = client.get("/api/v1/kb/articles/?language=en").json()["results"]
        assert draft.pk not in [a["id"] for a in listed]


def test_editors_see_drafts(kb, editor):
    draft = kb[("reset-2fa", "en")]
    Article.objects.filter(pk=draft.pk).update(status="draft")

    assert api_client_for(editor).get(f"/api/v1/kb/articles/{draft.pk}/").status_code == 200


def test_editor_creates_an_article_that_search_finds_at_once(kb, editor):
    response = api_client_for(editor).post("/api/v1/kb/articles/", NEW_ARTICLE, format="json")

    assert response.status_code == 201
    assert response.json()["url"] == "/articles/sub-accounts/?lang=en"
    found = api_client_for().get("/api/v1/kb/search/?q=sub-account&lang=en").json()
    assert found["results"][0]["slug"] == "sub-accounts"
    assert ArticleRevision.objects.filter(article__slug="sub-accounts").count() == 1


@pytest.mark.parametrize("persona", ["anonymous", "customer", "agent"])
def test_only_editors_write(kb, customer, agent, persona):
    user = {"anonymous": None, "customer": customer.user, "agent": agent}[persona]
    client = api_client_for(user)
    article = kb[("change-password", "en")]

    created = client.post("/api/v1/kb/articles/", NEW_ARTICLE, format="json")
    patched = client.patch(f"/api/v1/kb/articles/{article.pk}/", {"title": "Hacked"}, format="json")

    assert created.status_code in (401, 403)
    assert patched.status_code in (401, 403)
    article.refresh_from_db()
    assert article.title == "How to change your password"
    assert not Article.objects.filter(slug="sub-accounts").exists()


def test_editor_unpublishes_and_the_article_leaves_search(kb, editor):
    article = kb[("withdrawal-delayed", "en")]

    response = api_client_for(editor).patch(
        f"/api/v1/kb/articles/{article.pk}/", {"status": "draft"}, format="json"
    )

    assert response.status_code == 200
    results = api_client_for().get("/api/v1/kb/search/?q=withdrawal+delayed&lang=en").json()
    assert "withdrawal-delayed" not in [
        r["slug"] for r in results["results"] if r["language"] == "en"
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "nope"}, "category"),
        ({"language": "fr"}, "language"),
        ({"status": "live"}, "status"),
        ({"title": ""}, "title"),
        ({"slug": "change-password"}, "slug"),  # taken in English
    ],
)
def test_bad_article_input_is_a_400(kb, editor, change, field):
    response = api_client_for(editor).post(
        "/api/v1/kb/articles/", {**NEW_ARTICLE, **change}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()


def test_search_api_shape_and_ordering(kb):
    response = api_client_for().get("/api/v1/kb/search/?q=充币未到账&lang=zh-hans&limit=3")

    results = response.json()["results"]
    assert response.status_code == 200
    assert len(results) <= 3
    assert results[0]["slug"] == "deposit-not-credited"
    assert set(results[0]) >= {"id", "slug", "title", "url", "snippet", "score"}
    scores = [r["score"] for r in results if r["language"] == "zh-hans"]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("query", ["lang=fr&q=x", "limit=0&q=x", "limit=abc&q=x"])
def test_bad_search_parameters_are_a_400(kb, query):
    assert api_client_for().get(f"/api/v1/kb/search/?{query}").status_code == 400


def test_feedback_counts_and_flags_unhelpful_articles(kb):
    article = kb[("kyc-levels", "en")]
    client = api_client_for()

    for _ in range(5):
        response = client.post(
            f"/api/v1/kb/articles/{article.pk}/feedback/",
            {"helpful": False, "comment": "Does not say which documents"},
            format="json",
        )
        assert response.status_code == 201
    client.post(f"/api/v1/kb/articles/{article.pk}/feedback/", {"helpful": True}, format="json")

    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (1, 5)
    assert article.needs_review is True


def test_a_few_no_votes_among_many_yes_do_not_flag(kb):
    article = kb[("kyc-levels", "en")]
    client = api_client_for()
    for helpful in [True] * 20 + [False] * 5:
        client.post(
            f"/api/v1/kb/articles/{article.pk}/feedback/", {"helpful": helpful}, format="json"
        )

    article.refresh_from_db()
    assert article.needs_review is False


def test_suggestions_track_deflection_through_one_token(kb):
    client = api_client_for()

    first = client.get("/api/v1/kb/suggestions/?q=充币&lang=zh-hans&channel=ticket").json()
    second = client.get(
        f"/api/v1/kb/suggestions/?q=充币未到账&lang=zh-hans&channel=ticket&token={first['token']}"
    ).json()

    assert second["token"] == first["token"]
    assert second["results"][0]["title"] == "充币未到账怎么办"
    assert len(second["results"]) <= 3
    deflection = Deflection.objects.get()
    assert deflection.query == "充币未到账"

    opened = client.get(second["results"][0]["open_url"])

    assert opened.status_code == 302
    deflection.refresh_from_db()
    assert deflection.outcome == "deflected"
    assert deflection.opened.slug == "deposit-not-credited"


def test_import_command_upserts_by_slug_and_language(kb, tmp_path):
    import json

    from django.core.management import call_command

    rows = [
        {**NEW_ARTICLE},
        {
            "slug": "change-password",
            "language": "en",
            "title": "Change your password",
            "body": "Updated.",
            "category": "account-security",
            "status": "published",
        },
    ]
    path = tmp_path / "kb.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    from io import StringIO

    out = StringIO()
    call_command("kb_import", str(path), stdout=out)

    assert "1 created, 1 updated" in out.getvalue()
    assert Article.objects.get(slug="change-password", language="en").title == (
        "Change your password"
    )
    assert Article.objects.filter(slug="change-password").count() == 2


def test_import_with_a_bad_row_changes_nothing(kb, tmp_path):
    import json

    from django.core.management import CommandError, call_command

    rows = [NEW_ARTICLE, {**NEW_ARTICLE, "slug": "x", "category": "missing"}]
    path = tmp_path / "kb.json"
    path.write_text(json.dumps(rows), encoding="utf-8")

    with pytest.raises(CommandError, match="Item 2"):
        call_command("kb_import", str(path))

    assert not Article.objects.filter(slug="sub-accounts").exists()


def test_export_then_import_round_trips(kb, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "out.json"
    call_command("kb_export", str(path), stderr=StringIO())
    Article.objects.filter(slug="reset-2fa").update(title="changed")

    out = StringIO()
    call_command("kb_import", str(path), stdout=out)

    assert "0 created, 2 updated" in out.getvalue()
    assert Article.objects.get(slug="reset-2fa", language="en").title.startswith("Lost your")


def test_demo_content_loads_and_answers_the_example_questions(db):
    from io import StringIO

    from django.core.management import call_command

    from helpcenter.search import engine

    call_command(
        "kb_import",
        "helpcenter/demo/articles.json",
        categories="helpcenter/demo/categories.json",
        stdout=StringIO(),
    )

    assert Article.objects.filter(language="en").count() >= 30
    assert Article.objects.filter(language="zh-hans").count() >= 30
    for query, slug in [
        ("如何修改密码", "change-password"),
        ("充币未到账", "deposit-not-credited"),
    ]:
        assert engine.search(query, language="zh-hans", limit=3).hits[0].article.slug == slug
