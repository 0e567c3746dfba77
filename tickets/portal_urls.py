"""The customer portal: accounts, sign-on from the exchange, tickets, contact."""

from django.urls import path

from tickets import views

app_name = "portal"

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "accounts/password-reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("accounts/profile/", views.profile, name="profile"),
    path("sso/", views.sign_on, name="sso"),
    path("tickets/", views.ticket_list, name="tickets"),
    path("tickets/new/", views.ticket_new, name="ticket-new"),
    path("tickets/new/<str:category>/", views.ticket_form, name="ticket-form"),
    path("tickets/<str:reference>/", views.ticket_detail, name="ticket"),
    path("tickets/<str:reference>/submitted/", views.ticket_submitted, name="ticket-submitted"),
    path("tickets/<str:reference>/reply/", views.ticket_reply, name="ticket-reply"),
    path("tickets/<str:reference>/resolve/", views.ticket_resolve, name="ticket-resolve"),
    path("tickets/<str:reference>/rate/", views.ticket_rate, name="ticket-rate"),
    path(
        "tickets/<str:reference>/rate/<str:token>/",
        views.ticket_rate_from_email,
        name="ticket-rate-email",
    ),
    path("tickets/<str:reference>/access/<str:token>/", views.ticket_access, name="ticket-access"),
    path("contact/", views.contact, name="contact"),
]
