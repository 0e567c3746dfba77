"""The REST API's routes under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from tickets import api as tickets_api

router = DefaultRouter()
router.register("tickets", tickets_api.TicketViewSet, basename="ticket")
router.register("customers", tickets_api.CustomerViewSet, basename="customer")
router.register("teams", tickets_api.TeamViewSet, basename="team")

urlpatterns = [
    path("auth/token/", tickets_api.ObtainTokenView.as_view(), name="api-token"),
    path("auth/register/", tickets_api.RegisterView.as_view(), name="api-register"),
    path(
        "tickets/<str:reference>/messages/",
        tickets_api.TicketMessagesView.as_view(),
        name="ticket-messages",
    ),
    path("", include(router.urls)),
]
