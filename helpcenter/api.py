"""Help-center REST endpoints: read for everyone, write for KB editors."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from helpcenter import selectors, services
from helpcenter.models import Article, ArticleStatus, Category, Language
from helpcenter.search import engine


def is_editor(user: object) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_perm("helpcenter.change_article")
    )


class ReadOrEditor(permissions.BasePermission):
    message = "Only help-center editors may change articles."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in permissions.SAFE_METHODS or is_editor(request.user)


# --- shapes ----------------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Category
        fields = [
            "slug",
            "parent",
            "position",
            "icon",
            "name_en",
            "name_zh",
            "description_en",
            "description_zh",
            "ticket_category",
        ]


class ArticleSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "language",
            "title",
            "body",
            "category",
            "status",
            "popular",
            "url",
            "helpful_yes",
            "helpful_no",
            "needs_review",
            "published_at",
            "updated_at",
        ]


class ArticleInput(serializers.Serializer):
    slug = serializers.SlugField(max_length=120)
    language = serializers.ChoiceField(choices=Language.choices)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=100_000)
    category = serializers.SlugField()
    status = serializers.ChoiceField(choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    popular = serializers.BooleanField(default=False)


class FeedbackInput(serializers.Serializer):
    helpful = serializers.BooleanField()
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class SearchResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="article.id")
    slug = serializers.CharField(source="article.slug")
    language = serializers.CharField(source="article.language")
    title = serializers.CharField(source="article.title")
    url = serializers.CharField(source="article.get_absolute_url")
    snippet = serializers.CharField()
    score = serializers.FloatField()


# --- endpoints -------------------------------------------------------------------------------


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    serializer_class = CategorySerializer
    lookup_field = "slug"
    queryset = Category.objects.select_related("parent").order_by("position", "slug")


class ArticleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [ReadOrEditor]
    serializer_class = ArticleSerializer
    filterset_fields = ["language", "status", "popular"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    # Only the feedback action has a throttle class; this names its rate.
    throttle_scope = "feedback"

    def get_queryset(self) -> QuerySet[Article]:
        articles = Article.objects.select_related("category").order_by("slug", "language")
        if not is_editor(self.request.user):
            # Drafts and archived articles do not exist for readers.
            articles = articles.filter(status=ArticleStatus.PUBLISHED)
        category = self.request.query_params.get("category")
        if category:
            articles = articles.filter(category__slug=category)
        return articles

    @extend_schema(request=ArticleInput, responses={201: ArticleSerializer})
    def create(self, request: Request) -> Response:
        data = ArticleInput(data=request.data)
        data.is_valid(raise_exception=True)
        article = services.article_create(acting_user=request.user, **data.validated_data)
        return Response(ArticleSerializer(article).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ArticleInput(partial=True), responses=ArticleSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        article = self.get_object()
        data = ArticleInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        article = services.article_update(
            article=article, acting_user=request.user, **data.validated_data
        )
        return Response(ArticleSerializer(article).data)

    @extend_schema(request=FeedbackInput, responses={201: None})
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[permissions.AllowAny],
        throttle_classes=[ScopedRateThrottle],
    )
    def feedback(self, request: Request, pk: str) -> Response:
        article = self.get_object()
        data = FeedbackInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.feedback_record(article=article, **data.validated_data)
        return Response(status=status.HTTP_201_CREATED)


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise serializers.ValidationError({name: [f"Give a whole number from {low} to {high}."]})
    return int(raw)


def _language_param(request: Request) -> str:
    language = request.query_params.get("lang", "")
    if language and language not in Language.values:
        raise serializers.ValidationError(
            {"lang": [f"Choose one of: {', '.join(Language.values)}."]}
        )
    return language or Language.ENGLISH


class SearchView(APIView):
    """Published articles for a query, best first. Search-as-you-type calls this, so it
    does not write the search log (the search page does)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True),
            OpenApiParameter("lang", str, enum=Language.values),
            OpenApiParameter("limit", int),
        ],
        responses=inline_serializer(
            "SearchResults", {"results": SearchResultSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        query = request.query_params.get("q", "")
        language = _language_param(request)
        limit = _int_param(request, "limit", 10, 1, 50)
        page = engine.search(query, language=language, limit=limit)
        return Response({"results": SearchResultSerializer(page.hits, many=True).data})


class SuggestionView(APIView):
    """Up to three articles for what a customer is typing into a ticket or chat, with a
    token that records whether a suggestion kept them from having to contact us."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True),
            OpenApiParameter("lang", str, enum=Language.values),
            OpenApiParameter("channel", str, enum=["ticket", "chat"]),
            OpenApiParameter("token", str),
        ],
        responses=inline_serializer(
            "Suggestions",
            {
                "token": serializers.CharField(),
                "results": inline_serializer(
                    "Suggestion",
                    {
                        "id": serializers.IntegerField(),
                        "title": serializers.CharField(),
                        "url": serializers.CharField(),
                        "snippet": serializers.CharField(),
                        "open_url": serializers.CharField(),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        query = request.query_params.get("q", "")
        language = _language_param(request)
        channel = request.query_params.get("channel", "ticket")
        if channel not in ("ticket", "chat"):
            raise serializers.ValidationError({"channel": ["Choose ticket or chat."]})
        found = selectors.suggestions(query, language=language)
        token = services.deflection_track(
            token=request.query_params.get("token", ""),
            query=query,
            language=language,
            channel=channel,
        )
        return Response(
            {
                "token": token,
                "results": [
                    {
                        "id": s.article.pk,
                        "title": s.article.title,
                        "url": s.article.get_absolute_url(),
                        "snippet": s.snippet,
                        "open_url": f"/suggestions/{token}/open/{s.article.pk}/",
                    }
                    for s in found
                ],
            }
        )
