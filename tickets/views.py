"""The customer portal and attachment downloads. Views translate HTTP to service calls."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helpcenter import services as helpcenter_services
from tickets import access, selectors, services, sso
from tickets.forms import (
    CATEGORY_TEXT,
    ProfileForm,
    RatingForm,
    ReplyForm,
    SignUpForm,
    TicketForm,
    pick,
)
from tickets.models import AuthorKind, Category, Channel, Customer, Language, Status, Ticket
from tickets.ratelimit import too_many

# What the customer's progress tracker shows for each status.
PROGRESS_STEPS: list[tuple[str, tuple[str, str]]] = [
    ("submitted", ("Submitted", "已提交")),
    ("review", ("In review", "审核中")),
    ("investigating", ("Investigating", "调查中")),
    ("waiting", ("Waiting for you", "等待您回复")),
    ("resolved", ("Resolved", "已解决")),
]
STEP_OF_STATUS = {
    Status.NEW: "submitted",
    Status.OPEN: "review",
    Status.INVESTIGATING: "investigating",
    Status.PENDING_CUSTOMER: "waiting",
    Status.RESOLVED: "resolved",
    Status.CLOSED: "resolved",
}
CATEGORY_ORDER = [
    Category.DEPOSIT,
    Category.WITHDRAWAL,
    Category.SECURITY,
    Category.ACCOUNT,
    Category.KYC,
    Category.API,
    Category.TRADING,
    Category.DISPUTE,
    Category.PROMOTIONS,
    Category.SUGGESTION,
    Category.OTHER,
]


# --- helpers ---------------------------------------------------------------------------------


def _language(request: HttpRequest) -> str:
    customer = _customer(request)
    if request.GET.get("lang") in Language.values:
        return request.GET["lang"]
    if customer is not None and not request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return customer.language
    language = get_language() or Language.ENGLISH
    return language if language in Language.values else Language.ENGLISH


def _customer(request: HttpRequest) -> Customer | None:
    """The signed-in customer, looked up once per request (several helpers ask)."""
    if not request.user.is_authenticated:
        return None
    if not hasattr(request, "_portal_customer"):
        request._portal_customer = Customer.objects.filter(user=request.user).first()
    return request._portal_customer


def _say(request: HttpRequest, english: str, chinese: str) -> str:
    return pick(_language(request), (english, chinese))


def _client_ip(request: HttpRequest) -> str:
    # Behind a proxy, configure it to set REMOTE_ADDR (e.g. daphne --proxy-headers).
    return request.META.get("REMOTE_ADDR", "")


def _ticket_for_visitor(request: HttpRequest, reference: str) -> Ticket:
    """The ticket if this visitor owns it (account) or opened its emailed link (session)."""
    ticket = selectors.ticket_for_customer(
        user=request.user,
        reference=reference,
        granted_ids=access.granted_ticket_ids(request),
    )
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


# --- attachments -----------------------------------------------------------------------------


@never_cache
@require_GET
def attachment_download(request: HttpRequest, attachment_id: str) -> FileResponse:
    """Serve an attachment to someone allowed to see its ticket, always as a download.

    `Content-Disposition: attachment` and `nosniff` keep a browser from rendering an upload
    inline, so even a file that slipped past the type check cannot run in our origin.
    Anyone else gets the same 404 as for a file that does not exist.
    """
    attachment = selectors.attachment_get(
        user=request.user,
        attachment_id=attachment_id,
        granted_ids=access.granted_ticket_ids(request),
    )
    if attachment is None:
        raise Http404("No such attachment.")
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- accounts --------------------------------------------------------------------------------


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    form = SignUpForm(request.POST or None, initial={"language": language})
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_register(**form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            login(request, customer.user, backend="django.contrib.auth.backends.ModelBackend")
            response = HttpResponseRedirect(_safe_next(request, reverse("portal:tickets")))
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                customer.language,
                max_age=365 * 24 * 3600,
                samesite="Lax",
            )
            return response
    return render(request, "portal/signup.html", {"form": form, "language": language})


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "language": _language(self.request)}


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(reverse("helpcenter:home"))


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/password_reset.html"
    email_template_name = "portal/email/password_reset.txt"
    subject_template_name = "portal/email/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password-reset-done")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "language": _language(self.request)}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/password_reset_done.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "language": _language(self.request)}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/password_reset_confirm.html"
    success_url = reverse_lazy("portal:login")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "language": _language(self.request)}

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(
            self.request,
            _say(self.request, "Your password was changed. Log in.", "密码已修改，请登录。"),
        )
        return super().form_valid(form)


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    if customer is None:
        return HttpResponseRedirect(f"{reverse('portal:login')}?next={request.path}")
    language = _language(request)
    form = ProfileForm(
        request.POST or None,
        initial={
            "name": customer.name,
            "language": customer.language,
            "anti_phishing_code": customer.anti_phishing_code,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update_profile(customer=customer, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, pick(customer.language, ("Saved.", "已保存。")))
            response = HttpResponseRedirect(reverse("portal:profile"))
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                customer.language,
                max_age=365 * 24 * 3600,
                samesite="Lax",
            )
            return response
    return render(
        request, "portal/profile.html", {"form": form, "customer": customer, "language": language}
    )


@never_cache
@require_GET
def sign_on(request: HttpRequest) -> HttpResponse:
    """The exchange sends its logged-in customer here with a signed token."""
    language = _language(request)
    try:
        claims = sso.verify(request.GET.get("token", ""))
        customer = services.customer_sign_on(uid=claims.uid, email=claims.email, name=claims.name)
    except sso.SignOnError as exc:
        return render(
            request,
            "portal/sign_on_failed.html",
            {"language": language, "reason": exc.message, "code": exc.code},
            status=403,
        )
    except ValidationError as exc:
        return render(
            request,
            "portal/sign_on_failed.html",
            {"language": language, "reason": " ".join(exc.messages), "code": "conflict"},
            status=403,
        )
    login(request, customer.user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponseRedirect(_safe_next(request, reverse("portal:tickets")))


# --- tickets ---------------------------------------------------------------------------------


@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    granted = access.granted_ticket_ids(request)
    if customer is None and not granted:
        return HttpResponseRedirect(f"{reverse('portal:login')}?next={request.path}")
    tickets = selectors.customer_tickets(user=request.user, granted_ids=granted)
    return render(
        request,
        "portal/ticket_list.html",
        {"tickets": tickets, "language": _language(request), "customer": customer},
    )


@require_GET
def ticket_new(request: HttpRequest) -> HttpResponse:
    """Step 1: what is it about? (a prefilled ?category= goes straight to its form)"""
    category = request.GET.get("category", "")
    if category in Category.values:
        query = request.GET.urlencode()
        return HttpResponseRedirect(f"{reverse('portal:ticket-form', args=[category])}?{query}")
    language = _language(request)
    choices = [
        (value, pick(language, CATEGORY_TEXT[value][0]), pick(language, CATEGORY_TEXT[value][1]))
        for value in CATEGORY_ORDER
    ]
    return render(request, "portal/ticket_new.html", {"choices": choices, "language": language})


@sensitive_post_parameters("body", "subject")
@require_http_methods(["GET", "POST"])
def ticket_form(request: HttpRequest, category: str) -> HttpResponse:
    """Step 2: the form of one category. Anonymous visitors give an email address."""
    if category not in Category.values:
        raise Http404("No such category.")
    language = _language(request)
    customer = _customer(request)
    if request.user.is_authenticated and customer is None:
        messages.info(
            request,
            _say(
                request, "Agents open tickets from the agent console.", "客服人员请在后台创建工单。"
            ),
        )
        return HttpResponseRedirect(reverse("admin:index"))
    form = TicketForm(
        request.POST or None,
        request.FILES or None,
        category=category,
        language=language,
        anonymous=customer is None,
        verified_uid=customer.uid if customer and customer.uid else "",
        initial={"subject": request.GET.get("subject", "")},
    )
    if request.method == "POST" and form.is_valid():
        ticket = _create_from_form(request, form, customer, language)
        if ticket is not None:
            response = HttpResponseRedirect(
                reverse("portal:ticket-submitted", args=[ticket.reference])
            )
            # Keep the language the form was filled in for the pages that follow.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
            )
            return response
    return render(
        request,
        "portal/ticket_form.html",
        {
            "form": form,
            "category": category,
            "category_title": pick(language, CATEGORY_TEXT[category][0]),
            "language": language,
            "customer": customer,
            "from_article": request.GET.get("article", ""),
            "max_upload_bytes": settings.ATTACHMENT_MAX_BYTES,
            "max_files": settings.ATTACHMENTS_PER_MESSAGE,
        },
    )


def _create_from_form(
    request: HttpRequest, form: TicketForm, customer: Customer | None, language: str
) -> Ticket | None:
    if customer is None:
        email = form.cleaned_data["email"]
        if too_many("ticket-ip", _client_ip(request), settings.ANONYMOUS_TICKETS_PER_HOUR) or (
            too_many("ticket-email", email.lower(), settings.ANONYMOUS_TICKETS_PER_HOUR)
        ):
            form.add_error(
                None,
                pick(
                    language,
                    (
                        "Too many tickets from here in the last hour. "
                        "Please wait a little, or log in.",
                        "过去一小时内提交的工单过多，请稍后再试或登录后提交。",
                    ),
                ),
            )
            return None
        customer = services.customer_get_or_create(
            email=email, name=form.cleaned_data.get("name", ""), language=language
        )
    try:
        ticket = services.ticket_create(
            customer=customer,
            channel=Channel.WEB,
            acting_user=request.user,
            **form.service_arguments(),
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None
    token = form.cleaned_data.get("deflection_token")
    if token:
        helpcenter_services.deflection_submitted(token=token)
    if not request.user.is_authenticated:
        # The visitor who just filed it may follow it in this browser session.
        access.grant(request, ticket)
    return ticket


@require_GET
def ticket_submitted(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _ticket_for_visitor(request, reference)
    return render(
        request,
        "portal/ticket_submitted.html",
        {
            "ticket": ticket,
            "language": _language(request),
            "has_account": request.user.is_authenticated,
        },
    )


@never_cache
@require_GET
def ticket_access(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    """The emailed link: opens the ticket for this browser session."""
    ticket = Ticket.objects.filter(reference=reference.upper()).first()
    if ticket is None:
        raise Http404("No such ticket.")
    try:
        access.check(ticket, token)
    except access.AccessRefused as exc:
        return render(
            request,
            "portal/access_refused.html",
            {"reason": exc.message, "language": _language(request)},
            status=403,
        )
    access.grant(request, ticket)
    return HttpResponseRedirect(reverse("portal:ticket", args=[ticket.reference]))


@require_GET
def ticket_detail(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _ticket_for_visitor(request, reference)
    language = _language(request)
    current = STEP_OF_STATUS[ticket.status]
    reached = [step for step, _ in PROGRESS_STEPS].index(current)
    steps = [
        {
            "key": key,
            "label": pick(language, label),
            "done": index < reached,
            "current": index == reached,
        }
        for index, (key, label) in enumerate(PROGRESS_STEPS)
    ]
    return render(
        request,
        "portal/ticket_detail.html",
        {
            "ticket": ticket,
            "conversation": selectors.ticket_messages(
                ticket=ticket, user=request.user, public_only=True
            ),
            "steps": steps,
            "language": language,
            "category_title": pick(language, CATEGORY_TEXT[ticket.category][0]),
            "reply_form": ReplyForm(),
            "rating_form": RatingForm(),
            "can_reply": ticket.status != Status.CLOSED or services.can_reopen(ticket),
            "can_resolve": ticket.is_active,
            "can_rate": ticket.status in (Status.RESOLVED, Status.CLOSED),
            "rating": getattr(ticket, "rating", None),
            "agent_name": ticket.assignee.first_name if ticket.assignee else "",
            "max_upload_bytes": settings.ATTACHMENT_MAX_BYTES,
            "max_files": settings.ATTACHMENTS_PER_MESSAGE,
        },
    )


@sensitive_post_parameters("body")
@require_POST
def ticket_reply(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _ticket_for_visitor(request, reference)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.message_create(
                ticket=ticket,
                body=form.cleaned_data["body"],
                author_kind=AuthorKind.CUSTOMER,
                channel=Channel.WEB,
                acting_user=request.user,
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _say(request, "Your message was sent.", "消息已发送。"))
    else:
        messages.error(request, _say(request, "Write a message first.", "请先填写消息内容。"))
    return HttpResponseRedirect(reverse("portal:ticket", args=[ticket.reference]) + "#reply")


@require_POST
def ticket_resolve(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _ticket_for_visitor(request, reference)
    try:
        services.ticket_resolve_by_customer(ticket=ticket, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _say(
                request,
                "Glad it is solved. How did we do?",
                "很高兴问题已解决。请为我们的服务评分。",
            ),
        )
    return HttpResponseRedirect(reverse("portal:ticket", args=[ticket.reference]) + "#rating")


@require_POST
def ticket_rate(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _ticket_for_visitor(request, reference)
    return _save_rating(request, ticket)


def _save_rating(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_rate(ticket=ticket, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _say(request, "Thank you for rating us.", "感谢您的评价。"))
    else:
        messages.error(request, _say(request, "Choose from 1 to 5 stars.", "请选择 1 到 5 星。"))
    if access.granted_ticket_ids(request) or request.user.is_authenticated:
        return HttpResponseRedirect(reverse("portal:ticket", args=[ticket.reference]))
    return HttpResponseRedirect(reverse("helpcenter:home"))


@require_http_methods(["GET", "POST"])
def ticket_rate_from_email(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    """The stars in the "resolved" email. GET only shows the form (mail scanners follow
    links); the customer's POST saves the rating."""
    ticket = Ticket.objects.filter(reference=reference.upper()).first()
    if ticket is None or not access.rating_token_valid(ticket, token):
        raise Http404("No such ticket.")
    if request.method == "POST":
        return _save_rating(request, ticket)
    score = request.GET.get("score", "")
    return render(
        request,
        "portal/rate.html",
        {
            "ticket": ticket,
            "language": _language(request),
            "form": RatingForm(initial={"score": score if score in "12345" else None}),
        },
    )


# --- contact ---------------------------------------------------------------------------------


@require_GET
def contact(request: HttpRequest) -> HttpResponse:
    accounts = []
    for entry in settings.OFFICIAL_SOCIAL_ACCOUNTS:
        network, _, rest = entry.partition("|")
        handle, _, url = rest.partition("|")
        if url.startswith("https://"):
            accounts.append({"network": network, "handle": handle, "url": url})
    return render(
        request,
        "portal/contact.html",
        {
            "language": _language(request),
            "support_email": settings.SUPPORT_EMAIL,
            "social_accounts": accounts,
            "live_chat_available": False,
        },
    )
