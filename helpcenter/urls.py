from django.urls import path

from helpcenter import views

app_name = "helpcenter"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("search/<int:log_id>/open/<int:article_id>/", views.search_click, name="search-click"),
    path("categories/<slug:slug>/", views.category, name="category"),
    path("articles/<slug:slug>/", views.article, name="article"),
    path("articles/<slug:slug>/feedback/", views.feedback, name="feedback"),
    path(
        "suggestions/<str:token>/open/<int:article_id>/",
        views.suggestion_open,
        name="suggestion-open",
    ),
    path("language/", views.switch_language, name="language"),
]
