"""Real-browser tests: Playwright driving the system's Chromium against a live server.

Skipped with a reason when Chromium is absent, unless REQUIRE_SERVICES=1 (CI), where a
missing browser fails the run. Screenshots of every step go to test-artifacts/screenshots/.
"""

import os
import shutil
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests import factories
from tests.conftest import REQUIRE_SERVICES
from tickets.roles import AGENT

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine's closed network refuses Chromium's background connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API runs an event loop in the test thread; Django would otherwise
    refuse ORM calls from it. The browser and the ORM never share a connection here.
    Only for these tests: the environment is restored afterwards."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


# Module scope: Playwright's event loop must be gone before other tests run in this thread.
@pytest.fixture(scope="module")
def chromium(_orm_beside_playwright: None) -> Iterator[object]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if REQUIRE_SERVICES:
            pytest.fail(f"{message}; REQUIRE_SERVICES=1 needs it")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shoot(request):
    """shoot(page, "step") saves test-artifacts/screenshots/<test>/<nn>-<step>.png."""
    folder = SCREENSHOTS / request.node.name.replace("[", "-").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def take(page, step: str) -> None:
        counter["n"] += 1
        page.screenshot(path=str(folder / f"{counter['n']:02d}-{step}.png"), full_page=True)

    return take


@pytest.fixture
def new_page(chromium):
    contexts = []

    def open_page(locale: str = "en-US"):
        context = chromium.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def site(transactional_db, live_server):
    """A desk with teams, an agent and the demo help center, served on a live port."""
    desk = factories.make_desk()
    agent = factories.make_agent("agent1", team=desk.deposits, role=AGENT)
    call_command(
        "kb_import",
        "helpcenter/demo/articles.json",
        categories="helpcenter/demo/categories.json",
        stdout=StringIO(),
    )
    return {"url": live_server.url, "desk": desk, "agent": agent}
