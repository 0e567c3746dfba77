"""Personas, clients and the rule for tests that need a real server.

A test that needs PostgreSQL, Redis or Chromium calls `require_service(...)`: on a laptop
without that server the test is skipped with a one-line reason; with REQUIRE_SERVICES=1
(as CI runs) the same situation is a failure, so a missing server can never pass silently.
"""

import io
import os
import struct
import zlib
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories
from tickets.models import Category
from tickets.roles import AGENT, KB_EDITOR, SUPERVISOR

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false")


@pytest.fixture
def require_service() -> Callable[[str, str | None], None]:
    def check(name: str, problem: str | None) -> None:
        """`problem` is None when the service answered, else why it did not."""
        if problem is None:
            return
        if REQUIRE_SERVICES:
            pytest.fail(f"{name} is required (REQUIRE_SERVICES=1) but unavailable: {problem}")
        pytest.skip(f"{name} unavailable: {problem}")

    return check


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate limits and search dictionaries live in the cache: start every test clean."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path) -> None:
    """Each test stores attachments in its own folder (Django resets storages on change)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


@pytest.fixture
def desk(db) -> factories.Desk:
    """The exchange's teams with routing rules, as a new installation sets them up."""
    return factories.make_desk()


@pytest.fixture
def customer(db):
    return factories.CustomerFactory(with_user=True, email="alice@example.com", name="Alice")


@pytest.fixture
def other_customer(db):
    return factories.CustomerFactory(with_user=True, email="bob@example.com", name="Bob")


@pytest.fixture
def agent(desk):
    """An agent of the Deposits & Withdrawals team."""
    return factories.make_agent("dana", team=desk.deposits, role=AGENT)


@pytest.fixture
def other_agent(desk):
    """An agent of the Account Security team, who does not see deposit tickets."""
    return factories.make_agent("sam", team=desk.security, role=AGENT)


@pytest.fixture
def supervisor(desk):
    return factories.make_agent("susan", team=desk.deposits, role=SUPERVISOR)


@pytest.fixture
def kb_editor(desk):
    return factories.make_agent("kim", team=None, role=KB_EDITOR)


@pytest.fixture
def deposit_ticket(desk, customer):
    return factories.make_ticket(customer=customer, category=Category.DEPOSIT)


def api_client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api() -> Callable[..., APIClient]:
    return api_client_for


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def screenshot() -> SimpleUploadedFile:
    return SimpleUploadedFile("screenshot.png", png_bytes(), content_type="image/png")


@pytest.fixture
def pdf_file() -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile("statement.pdf", content, content_type="application/pdf")


@pytest.fixture
def disguised_file() -> SimpleUploadedFile:
    """An HTML page with script, named and labelled as a PNG."""
    content = io.BytesIO(b"<html><script>alert(document.cookie)</script></html>").getvalue()
    return SimpleUploadedFile("screenshot.png", content, content_type="image/png")
