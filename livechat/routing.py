"""Websocket routes, mounted by `config.asgi` under Channels' auth middleware."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
