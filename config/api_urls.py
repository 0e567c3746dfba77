"""The REST API's routes under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from helpcenter import api as helpcenter_api
from tickets import api as tickets_api

router = DefaultRouter()
router.register("tickets", tickets_api.TicketViewSet, basename="ticket")
router.register("customers", tickets_api.CustomerViewSet, basename="customer")
router.register("teams", tickets_api.TeamViewSet, basename="team")
router.register("kb/categories", helpcenter_api.CategoryViewSet, basename="kb-category")
router.register("kb/articles", helpcenter_api.ArticleViewSet, basename="kb-article")

urlpatterns = [
    path("auth/token/", tickets_api.ObtainTokenView.as_view(), name="api-token"),
    path("auth/register/", tickets_api.RegisterView.as_view(), name="api-register"),
    path("tickets/validate/", tickets_api.TransferCheckView.as_view(), name="ticket-validate"),
    path(
        "tickets/<str:reference>/messages/",
        tickets_api.TicketMessagesView.as_view(),
        name="ticket-messages",
    ),
    path("kb/search/", helpcenter_api.SearchView.as_view(), name="kb-search"),
    path("kb/suggestions/", helpcenter_api.SuggestionView.as_view(), name="kb-suggestions"),
    path("", include(router.urls)),
]
