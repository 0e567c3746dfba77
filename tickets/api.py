"""REST endpoints of the ticket desk. Views translate HTTP to service calls and back."""

from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, mixins, permissions, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from config.api import FilterBackend, OrderingFilter
from tickets import crypto, selectors, services
from tickets.filters import TicketFilter
from tickets.models import AuthorKind, Channel, Customer, Team, Ticket
from tickets.roles import is_agent
from tickets.serializers import (
    AgentTicketSerializer,
    CustomerMessageSerializer,
    CustomerSerializer,
    CustomerTicketSerializer,
    MessageCreateInput,
    MessageSerializer,
    RegisterInput,
    TeamSerializer,
    TicketCreateInput,
    TicketUpdateInput,
    TokenInput,
)

UPLOAD_PARSERS = [JSONParser, MultiPartParser, FormParser]


class IsAgent(permissions.BasePermission):
    message = "This endpoint is for support agents."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_agent(request.user)


# --- auth ------------------------------------------------------------------------------------


# Error reports (DEBUG pages, mail to ADMINS) must not echo passwords or message bodies.
_sensitive = method_decorator(
    sensitive_post_parameters("password", "body", "subject"), name="dispatch"
)


@_sensitive
class ObtainTokenView(APIView):
    """Exchange a username (or a customer's email) and password for an API token."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=TokenInput,
        responses=inline_serializer("TokenOutput", {"token": serializers.CharField()}),
    )
    def post(self, request: Request) -> Response:
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"].strip()
        password = data.validated_data["password"]
        user = authenticate(request, username=username, password=password)
        if user is None and "@" in username:
            account = (
                get_user_model()
                .objects.filter(email__iexact=username)
                .order_by("pk")
                .values_list("username", flat=True)
                .first()
            )
            if account is not None:
                user = authenticate(request, username=account, password=password)
        if user is None:
            return Response(
                {"detail": "Unable to log in with the username/email and password given."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


@_sensitive
class RegisterView(APIView):
    """Customers create their own account and receive an API token."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(request=RegisterInput, responses={201: CustomerSerializer})
    def post(self, request: Request) -> Response:
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        customer = services.customer_register(**data.validated_data)
        token, _ = Token.objects.get_or_create(user=customer.user)
        return Response(
            {**CustomerSerializer(customer).data, "token": token.key},
            status=status.HTTP_201_CREATED,
        )


# --- tickets ---------------------------------------------------------------------------------


def _serializer_for(
    user: object,
    agent_cls: type[serializers.Serializer],
    customer_cls: type[serializers.Serializer],
) -> type[serializers.Serializer]:
    return agent_cls if is_agent(user) else customer_cls


@_sensitive
class TicketViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_field = "reference"
    lookup_value_regex = r"[A-Za-z0-9-]+"
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_class = TicketFilter
    ordering_fields = ["created_at", "updated_at", "priority", "resolution_due"]
    parser_classes = UPLOAD_PARSERS
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Ticket]:
        return selectors.ticket_list(user=self.request.user)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if getattr(self, "swagger_fake_view", False):
            return AgentTicketSerializer
        return _serializer_for(self.request.user, AgentTicketSerializer, CustomerTicketSerializer)

    def get_object(self) -> Ticket:
        ticket = selectors.ticket_get(user=self.request.user, reference=self.kwargs["reference"])
        if ticket is None:
            raise Http404
        return ticket

    def _rendered(self, reference: str) -> dict:
        row = selectors.ticket_row(user=self.request.user, reference=reference)
        if row is None:
            raise Http404
        return self.get_serializer(row).data

    def page_rows(self, tickets: QuerySet[Ticket]) -> list[dict]:
        """A page of the list as plain rows with tags (see config.api.Pagination)."""
        return selectors.ticket_page(tickets)

    def retrieve(self, request: Request, reference: str) -> Response:
        return Response(self._rendered(reference))

    @extend_schema(request=TicketCreateInput, responses={201: AgentTicketSerializer})
    def create(self, request: Request) -> Response:
        data = TicketCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        customer_email = fields.pop("customer_email", None)
        priority = fields.pop("priority", None)
        if is_agent(request.user):
            if not customer_email:
                raise serializers.ValidationError(
                    {"customer_email": ["Agents open tickets on behalf of a customer's email."]}
                )
            customer = services.customer_get_or_create(email=customer_email)
            channel = Channel.AGENT
        else:
            customer = Customer.objects.filter(user=request.user).first()
            if customer is None:
                raise PermissionDenied("Only customers and agents can open tickets.")
            priority = None  # customers cannot choose their own priority
            channel = Channel.API
        ticket = services.ticket_create(
            customer=customer,
            channel=channel,
            acting_user=request.user,
            priority=priority,
            **fields,
        )
        return Response(self._rendered(ticket.reference), status=status.HTTP_201_CREATED)

    @extend_schema(request=TicketUpdateInput, responses=AgentTicketSerializer)
    def partial_update(self, request: Request, reference: str) -> Response:
        ticket = self.get_object()
        if not is_agent(request.user) or not request.user.has_perm("tickets.change_ticket"):
            raise PermissionDenied("Only agents change a ticket's status, priority or routing.")
        data = TicketUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "assignee" in changes and changes["assignee"] is not None:
            agent = (
                get_user_model()
                .objects.filter(pk=changes["assignee"], is_staff=True, is_active=True)
                .first()
            )
            if agent is None:
                raise serializers.ValidationError({"assignee": ["No active agent has this id."]})
            changes["assignee"] = agent
        services.ticket_update(ticket=ticket, acting_user=request.user, **changes)
        return Response(self._rendered(ticket.reference))


@_sensitive
class TicketMessagesView(generics.GenericAPIView):
    """A ticket's conversation. Customers see and write public messages only."""

    parser_classes = UPLOAD_PARSERS

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if getattr(self, "swagger_fake_view", False):
            return MessageSerializer
        return _serializer_for(self.request.user, MessageSerializer, CustomerMessageSerializer)

    def _ticket(self, reference: str) -> Ticket:
        ticket = selectors.ticket_get(user=self.request.user, reference=reference)
        if ticket is None:
            raise Http404
        return ticket

    def get(self, request: Request, reference: str) -> Response:
        ticket = self._ticket(reference)
        page = self.paginate_queryset(selectors.ticket_messages(ticket=ticket, user=request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=MessageCreateInput, responses={201: MessageSerializer})
    def post(self, request: Request, reference: str) -> Response:
        ticket = self._ticket(reference)
        data = MessageCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if is_agent(request.user):
            author_kind, channel = AuthorKind.AGENT, Channel.AGENT
        else:
            if fields["internal"] or "status" in fields:
                raise PermissionDenied("Customers cannot write internal notes or change status.")
            author_kind, channel = AuthorKind.CUSTOMER, Channel.API
        message = services.message_create(
            ticket=ticket,
            body=fields["body"],
            author_kind=author_kind,
            channel=channel,
            acting_user=request.user,
            internal=fields["internal"],
            attachments=fields["attachments"],
            new_status=fields.get("status"),
        )
        message = selectors.ticket_messages(ticket=message.ticket, user=request.user).get(
            pk=message.pk
        )
        return Response(self.get_serializer(message).data, status=status.HTTP_201_CREATED)


# --- agents' reference data ------------------------------------------------------------------


class CustomerViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAgent]
    serializer_class = CustomerSerializer
    filterset_fields = ["language"]

    def get_queryset(self) -> QuerySet[Customer]:
        customers = selectors.customer_list()
        query = self.request.query_params.get("q", "").strip()
        if query:
            customers = customers.filter(email__icontains=query) | customers.filter(uid=query)
        return customers


class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAgent]
    serializer_class = TeamSerializer
    lookup_field = "slug"
    pagination_class = None

    def get_queryset(self) -> QuerySet[Team]:
        return selectors.team_list()


class TransferCheckView(APIView):
    """Inline form help: does this TXID / address fit the chosen network?"""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("chain", str, required=True),
            OpenApiParameter("txid", str),
            OpenApiParameter("address", str),
        ],
        responses=inline_serializer(
            "TransferCheck",
            {
                "txid": serializers.CharField(required=False),
                "address": serializers.CharField(required=False),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        chain = request.query_params.get("chain", "")
        answers: dict[str, str] = {}
        for field, normalize in (
            ("txid", crypto.normalize_txid),
            ("address", crypto.normalize_address),
        ):
            value = request.query_params.get(field, "")
            if not value:
                continue
            try:
                normalize(chain, value[:200])
            except ValidationError as exc:
                answers[field] = " ".join(exc.messages)
            else:
                answers[field] = "ok"
        return Response(answers)
