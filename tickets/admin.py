"""The agent console: Django admin screens whose every write goes through `tickets.services`."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters

from tickets import selectors, services
from tickets.models import (
    AgentMembership,
    AuthorKind,
    Channel,
    Customer,
    RoutingRule,
    SatisfactionRating,
    SLAPolicy,
    Status,
    Tag,
    Team,
    Ticket,
)


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("mine", "Assigned to me"), ("unassigned", "Unassigned"), ("others", "Others")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.value() == "mine":
            return queryset.filter(assignee=request.user)
        if self.value() == "unassigned":
            return queryset.filter(assignee__isnull=True)
        if self.value() == "others":
            return queryset.exclude(assignee=request.user).exclude(assignee__isnull=True)
        return queryset


class SLABreachedFilter(admin.SimpleListFilter):
    title = "SLA"
    parameter_name = "sla"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("breached", "Breached"), ("ok", "Within SLA")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.value() == "breached":
            return queryset.filter(sla_breached_at__isnull=False)
        if self.value() == "ok":
            return queryset.filter(sla_breached_at__isnull=True)
        return queryset


class TicketForm(forms.ModelForm):
    """Only what agents may change; transitions checked here so a bad one is a form error."""

    tag_names = forms.CharField(
        label="Tags", required=False, help_text="Comma-separated, e.g. vip, chain-congestion"
    )

    class Meta:
        model = Ticket
        fields = ["status", "priority", "team", "assignee"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())
            allowed = services.STATUS_TRANSITIONS[self.instance.status] | {self.instance.status}
            self.fields["status"].choices = [c for c in Status.choices if c[0] in allowed]
        if "assignee" in self.fields:
            self.fields["assignee"].queryset = self.fields["assignee"].queryset.filter(
                is_staff=True, is_active=True
            )

    def clean_tag_names(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tag_names"].split(",") if t.strip()]


def _status_action(target: str) -> Callable:
    def action(modeladmin: "TicketAdmin", request: HttpRequest, queryset: QuerySet) -> None:
        changed, refused = 0, []
        for ticket in queryset:
            try:
                services.ticket_change_status(
                    ticket=ticket, status=target, acting_user=request.user
                )
                changed += 1
            except ValidationError as exc:
                refused.append(f"{ticket.reference}: {' '.join(exc.messages)}")
        if changed:
            modeladmin.message_user(
                request, f"{changed} ticket(s) moved to {Status(target).label}."
            )
        for line in refused:
            modeladmin.message_user(request, line, level=messages.WARNING)

    action.__name__ = f"mark_{target}"
    action.short_description = f"Set status: {Status(target).label}"  # type: ignore[attr-defined]
    action.allowed_permissions = ("change",)  # type: ignore[attr-defined]
    return action


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    form = TicketForm
    change_form_template = "admin/tickets/ticket/change_form.html"
    list_display = [
        "reference",
        "subject",
        "customer",
        "status",
        "priority",
        "team",
        "assignee",
        "channel",
        "category",
        "sla_state",
        "created_at",
    ]
    list_filter = [
        "status",
        AssigneeFilter,
        "team",
        "priority",
        SLABreachedFilter,
        "channel",
        "category",
        "security_review",
    ]
    search_fields = ["=reference", "=uid", "=txid", "=customer__email", "subject"]
    list_select_related = ["customer", "team", "assignee"]
    list_per_page = 50
    date_hierarchy = "created_at"
    autocomplete_fields = ["team"]
    readonly_fields = [
        "reference",
        "subject",
        "category",
        "channel",
        "customer",
        "sla_state",
        "first_response_due",
        "resolution_due",
        "first_responded_at",
        "sla_breached_at",
        "sla_paused_at",
        "uid",
        "asset",
        "chain",
        "txid",
        "address",
        "memo",
        "amount",
        "transferred_at",
        "security_review",
        "merged_into",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "subject", "customer", ("category", "channel")]}),
        ("Work", {"fields": [("status", "priority"), ("team", "assignee"), "tag_names"]}),
        (
            "Transfer",
            {
                "fields": [
                    ("uid", "asset", "chain"),
                    "txid",
                    "address",
                    ("memo", "amount"),
                    "transferred_at",
                ]
            },
        ),
        (
            "SLA",
            {
                "fields": [
                    "sla_state",
                    ("first_response_due", "first_responded_at"),
                    ("resolution_due", "sla_paused_at"),
                    "sla_breached_at",
                ]
            },
        ),
        (
            "Record",
            {
                "fields": [
                    "security_review",
                    "merged_into",
                    ("created_at", "updated_at"),
                ]
            },
        ),
    ]
    actions = [
        "assign_to_me",
        "merge_selected",
        *[
            _status_action(s)
            for s in (
                Status.OPEN,
                Status.PENDING_CUSTOMER,
                Status.INVESTIGATING,
                Status.RESOLVED,
                Status.CLOSED,
            )
        ],
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ticket]:
        return super().get_queryset(request).filter(selectors.ticket_visibility(request.user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Tickets are opened by customers' channels (or the API on their behalf), never by a
        # bare admin form that would skip routing, SLA and the secret shield.
        return False

    @admin.display(description="SLA")
    def sla_state(self, ticket: Ticket) -> str:
        if ticket.sla_breached_at:
            return format_html('<strong style="color:#b00">breached</strong>')
        if not ticket.is_active:
            return "met" if ticket.status in (Status.RESOLVED, Status.CLOSED) else "—"
        if ticket.status == Status.PENDING_CUSTOMER:
            return "paused: waiting for the customer"
        due = ticket.resolution_due
        if ticket.first_responded_at is None and ticket.first_response_due:
            due = ticket.first_response_due
        if due is None:
            return "—"
        minutes = int((due - timezone.now()).total_seconds() // 60)
        label = "response" if due == ticket.first_response_due else "resolution"
        if minutes < 0:
            return format_html('<strong style="color:#b00">{} overdue</strong>', label)
        if minutes < 60:
            return format_html('<span style="color:#c60">{} due in {} min</span>', label, minutes)
        return f"{label} due in {minutes // 60} h"

    def save_model(self, request: HttpRequest, obj: Ticket, form: TicketForm, change: bool) -> None:
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in ("status", "priority", "team", "assignee")
        }
        if "tag_names" in form.changed_data:
            changes["tags"] = form.cleaned_data["tag_names"]
        current = Ticket.objects.get(pk=obj.pk)
        services.ticket_update(ticket=current, acting_user=request.user, **changes)

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: list, change: bool
    ) -> None:
        """Tags were saved by the service; nothing else is related here."""

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        ticket = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if ticket is not None:
            extra_context["timeline"] = _timeline(ticket)
            extra_context["reply_url"] = reverse("admin:tickets_ticket_reply", args=[ticket.pk])
            extra_context["reply_statuses"] = [
                c for c in Status.choices if c[0] in services.STATUS_TRANSITIONS[ticket.status]
            ]
            extra_context["can_reply"] = self.has_change_permission(request, ticket)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self) -> list:
        return [
            path(
                "<int:ticket_id>/reply/",
                # A customer's secrets never show up in an error report either.
                self.admin_site.admin_view(sensitive_post_parameters("body")(self.reply_view)),
                name="tickets_ticket_reply",
            ),
            *super().get_urls(),
        ]

    def reply_view(self, request: HttpRequest, ticket_id: int) -> HttpResponse:
        """Post a public reply or an internal note from the ticket page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        ticket = self.get_queryset(request).filter(pk=ticket_id).first()
        if ticket is None:
            raise Http404
        if not self.has_change_permission(request, ticket):
            raise PermissionDenied
        internal = request.POST.get("internal") == "1"
        try:
            services.message_create(
                ticket=ticket,
                body=request.POST.get("body", ""),
                author_kind=AuthorKind.AGENT,
                channel=Channel.AGENT,
                acting_user=request.user,
                internal=internal,
                attachments=request.FILES.getlist("attachments"),
                new_status=request.POST.get("status") or None,
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(
                request, "Internal note added." if internal else "Reply sent to the customer."
            )
        return HttpResponseRedirect(reverse("admin:tickets_ticket_change", args=[ticket_id]))

    @admin.action(description="Assign to me", permissions=["change"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        for ticket in queryset:
            services.ticket_assign(ticket=ticket, agent=request.user, acting_user=request.user)
        self.message_user(request, f"{queryset.count()} ticket(s) assigned to you.")

    @admin.action(description="Merge selected tickets into the oldest", permissions=["merge"])
    def merge_selected(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        tickets = list(queryset.order_by("created_at", "pk"))
        if len(tickets) < 2:
            self.message_user(request, "Select at least two tickets to merge.", messages.WARNING)
            return
        survivor = tickets[0]
        try:
            for other in tickets[1:]:
                services.ticket_merge(source=other, target=survivor, acting_user=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        self.message_user(
            request, f"Merged {len(tickets) - 1} ticket(s) into {survivor.reference}."
        )

    def has_merge_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("tickets.merge_ticket")


def _timeline(ticket: Ticket) -> list[dict]:
    """Messages and audit events of a ticket, oldest first, for the agent's ticket page."""
    entries = [
        {"kind": "message", "at": m.created_at, "item": m}
        for m in ticket.messages.select_related("author").prefetch_related("attachments")
    ]
    entries += [
        {"kind": "event", "at": e.created_at, "item": e}
        for e in ticket.events.select_related("actor")
    ]
    entries.sort(key=lambda entry: entry["at"])
    return entries


class AgentMembershipInline(admin.TabularInline):
    model = AgentMembership
    extra = 0
    autocomplete_fields = ["agent"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AgentMembershipInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "team"]
    list_select_related = ["team"]
    autocomplete_fields = ["team"]


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    list_display = ["priority", "first_response_minutes", "resolution_minutes"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "uid", "language", "created_at"]
    list_filter = ["language"]
    search_fields = ["=uid", "email", "name"]
    list_select_related = ["user"]
    readonly_fields = ["user", "created_at"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(admin.ModelAdmin):
    """Customers' ratings, with the average per agent and per team above the list."""

    list_display = ["ticket", "score", "agent", "team", "comment", "created_at"]
    list_filter = ["score", "team", "agent"]
    list_select_related = ["ticket", "agent", "team"]
    search_fields = ["ticket__reference", "comment"]
    change_list_template = "admin/tickets/satisfactionrating/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        ratings = SatisfactionRating.objects.all()
        summary = {
            "by_agent": ratings.exclude(agent=None)
            .values("agent__username", "agent__first_name")
            .annotate(count=Count("id"), average=Avg("score"))
            .order_by("-average", "agent__username"),
            "by_team": ratings.exclude(team=None)
            .values("team__name")
            .annotate(count=Count("id"), average=Avg("score"))
            .order_by("-average", "team__name"),
        }
        return super().changelist_view(request, {**(extra_context or {}), **summary})
