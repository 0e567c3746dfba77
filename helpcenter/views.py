"""Public help-center pages: server-rendered, usable without JavaScript."""

from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from helpcenter import selectors, services
from helpcenter.models import Article, Category, Language
from helpcenter.search import engine
from helpcenter.text import render as render_markdown

RESULTS_PER_PAGE = 10


def _say(language: str) -> Callable[[str, str], str]:
    """Pick the reader's language for a short message: the site speaks exactly two."""
    return lambda english, chinese: chinese if language == Language.CHINESE else english


def _language(request: HttpRequest) -> str:
    """The reader's language: ?lang= for one page, else the site language (cookie/header)."""
    return selectors.reader_language(request.GET.get("lang"), get_language() or "en")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    return render(
        request,
        "helpcenter/home.html",
        {
            "language": language,
            "categories": selectors.category_tree(language),
            "popular": selectors.popular_articles(language),
        },
    )


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    language = _language(request)
    current = get_object_or_404(Category.objects.select_related("parent"), slug=slug)
    return render(
        request,
        "helpcenter/category.html",
        {
            "language": language,
            "category": current,
            "category_name": current.name(language),
            "category_description": current.description(language),
            "parent_name": current.parent.name(language) if current.parent else "",
            "subcategories": [
                (child, child.name(language)) for child in current.children.order_by("position")
            ],
            "articles": selectors.category_articles(current, language),
        },
    )


@require_GET
def article(request: HttpRequest, slug: str) -> HttpResponse:
    language = _language(request)
    found = selectors.article_for_reader(slug=slug, language=language)
    if found is None:
        raise Http404("No such article.")
    services.article_viewed(article=found)
    rendered = render_markdown(found.body)
    ticket_query = urlencode({"category": found.category.ticket_category, "article": found.slug})
    return render(
        request,
        "helpcenter/article.html",
        {
            "language": found.language,
            "article": found,
            "body_html": rendered.html,
            "toc": rendered.toc,
            "category_name": found.category.name(found.language),
            "parent": found.category.parent,
            "parent_name": found.category.parent.name(found.language)
            if found.category.parent
            else "",
            "translation": selectors.translation_of(found),
            "related": selectors.related_articles(found),
            # The portal's ticket form, pre-filled so the ticket reaches the right team.
            "ticket_url": f"{reverse('portal:ticket-new')}?{ticket_query}",
            "voted": request.session.get(f"kb-voted-{found.pk}"),
        },
    )


@require_POST
def feedback(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(
        Article, slug=slug, language=request.POST.get("language", ""), status="published"
    )
    helpful = request.POST.get("helpful")
    say = _say(found.language)
    if helpful not in ("yes", "no"):
        messages.error(request, say("Choose yes or no.", "请选择“是”或“否”。"))
    elif request.session.get(f"kb-voted-{found.pk}"):
        messages.info(
            request, say("You already rated this article. Thank you!", "您已评价过本文，谢谢！")
        )
    else:
        services.feedback_record(
            article=found, helpful=helpful == "yes", comment=request.POST.get("comment", "")
        )
        request.session[f"kb-voted-{found.pk}"] = helpful
        messages.success(request, say("Thank you for your feedback.", "感谢您的反馈。"))
    return HttpResponseRedirect(f"{found.get_absolute_url()}#feedback")


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    query = request.GET.get("q", "").strip()
    page_number = request.GET.get("page", "1")
    page_index = int(page_number) if page_number.isdigit() and int(page_number) > 0 else 1
    results: Page | None = None
    corrections: dict[str, str] = {}
    log_id = None
    if query:
        offset = (page_index - 1) * RESULTS_PER_PAGE
        found = engine.search(query, language=language, limit=RESULTS_PER_PAGE, offset=offset)
        corrections = found.query.corrections
        # The paginator only needs the total and this page's hits.
        paginator = Paginator(range(found.total), RESULTS_PER_PAGE)
        if found.total and page_index > paginator.num_pages:
            # Past the last page (an old link): show the last page rather than nothing.
            page_index = paginator.num_pages
            offset = (page_index - 1) * RESULTS_PER_PAGE
            found = engine.search(query, language=language, limit=RESULTS_PER_PAGE, offset=offset)
        if found.total:
            results = paginator.get_page(page_index)
            results.object_list = found.hits
        if page_index == 1:
            log_id = services.search_logged(query=query, language=language, results=found.total).pk
    return render(
        request,
        "helpcenter/search.html",
        {
            "language": language,
            "query": query,
            "results": results,
            "corrections": corrections,
            "log_id": log_id,
        },
    )


@require_GET
def search_click(request: HttpRequest, log_id: int, article_id: int) -> HttpResponse:
    """Note which result a search led to, then go there (works without JavaScript)."""
    found = get_object_or_404(Article, pk=article_id, status="published")
    services.search_clicked(log_id=log_id, article=found)
    return HttpResponseRedirect(found.get_absolute_url())


@require_GET
def suggestion_open(request: HttpRequest, token: str, article_id: int) -> HttpResponse:
    """A customer opened an article we suggested while they were writing to us."""
    found = get_object_or_404(Article, pk=article_id, status="published")
    services.deflection_opened(token=token, article=found)
    return HttpResponseRedirect(found.get_absolute_url())


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Remember the reader's language in a cookie and return to the page they were on."""
    language = request.POST.get("language")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("helpcenter:home")
    # A ?lang= in the page address would override the new choice: drop it.
    parts = urlsplit(target)
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k != "lang"]
    target = urlunsplit(parts._replace(query=urlencode(kept)))
    response = HttpResponseRedirect(target)
    if language in Language.values:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
        )
    return response
