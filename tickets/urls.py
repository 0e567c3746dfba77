from django.urls import path

from tickets import views

urlpatterns = [
    path(
        "attachments/<uuid:attachment_id>/",
        views.attachment_download,
        name="attachment-download",
    ),
]
