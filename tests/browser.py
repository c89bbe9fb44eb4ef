"""Real-browser tests: Playwright for Python driving Debian's Chromium.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium``
(``executable_path``). Pages come from a CKAN served in its own process
(``live_site.serve``) on this worker's test database. Every request to another
host than the site is refused and recorded, so a test can assert that a page
calls no third party. axe-core (from the npm registry, installed by
``devstack/stack.sh`` in ``.stack/npm``) is injected to check accessibility.

Use from a test module (the fixtures ``browser`` and ``live_url`` come from
tests/conftest.py)::

    from .browser import DESKTOP, PHONE, axe_violations, log_in, open_page
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

from .live_site import serve

# The fixtures ``browser`` and ``live_url`` are registered once, by tests/conftest.py:
# imported into each test module, pytest would see one session fixture per module
# and start Playwright again while it runs (its sync API refuses that).
__all__ = ["CHROMIUM_FLAGS", "DESKTOP", "PHONE", "Visit", "axe_violations", "describe",
           "log_in", "open_page"]

# As the machine's notes say: without the background-networking flags Chromium
# keeps trying to reach Google's hosts, which this closed network refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _axe_script() -> str:
    path = os.environ.get("OCSREGISTRY_AXE_JS") or os.path.join(
        ROOT, ".stack", "npm", "node_modules", "axe-core", "axe.min.js")
    if not os.path.exists(path):
        pytest.skip(f"axe-core not found at {path}: `make test` installs it (devstack/stack.sh)")
    return path


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.skip("Debian's chromium is not installed (devstack/stack.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in dev-requirements.txt")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS,
                                              headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def live_url(registry_app):
    """This worker's test site, served by a CKAN process for the module."""
    from ckan.plugins import toolkit as tk

    with serve(tk.config["__file__"]) as url:
        yield url


@dataclass
class Visit:
    """A page in its own browser context, and the third-party requests it tried."""
    page: Any
    base: str
    third_party: list[str] = field(default_factory=list)

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base + path, wait_until="networkidle")
        assert response is not None and response.status < 500, (path, response and response.status)
        return response


@contextlib.contextmanager
def open_page(browser, base: str, viewport: dict | None = None,
              locale: str = "fr-FR") -> Iterator[Visit]:
    context = browser.new_context(viewport=viewport or DESKTOP, locale=locale)
    visit = Visit(page=context.new_page(), base=base)
    own_host = urlsplit(base).netloc

    def route(request_route, request) -> None:
        if urlsplit(request.url).netloc in (own_host, "") or request.url.startswith(("data:", "blob:")):
            request_route.continue_()
        else:
            visit.third_party.append(request.url)
            request_route.abort()

    context.route("**/*", route)
    try:
        yield visit
    finally:
        context.close()


def log_in(visit: Visit, user: str, password: str) -> None:
    """Through the login form, as a person would."""
    visit.go("/user/login")
    visit.page.fill("input[name=login]", user)
    visit.page.fill("input[name=password]", password)
    visit.page.click("form:has(input[name=password]) button[type=submit]")
    visit.page.wait_for_load_state("networkidle")
    assert "/user/_logout" in visit.page.content(), (
        "the login failed: " + visit.page.url + " " + " ".join(visit.page.inner_text("body").split())[:800])


def axe_violations(visit: Visit, impacts: tuple[str, ...] = ("serious", "critical")
                   ) -> list[dict[str, Any]]:
    """axe-core's violations of the current page at these impacts (WCAG 2.1 AA rules)."""
    visit.page.add_script_tag(path=_axe_script())
    result = visit.page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in impacts]


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, ensure_ascii=False, indent=1)
