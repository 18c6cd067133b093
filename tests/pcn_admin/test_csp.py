"""The Content-Security-Policy: scripts only from our own static files, so a script injected
into a page (a name typed into a form, say) does not run."""

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from tests.pcn_admin.factories import PracticeManagerFactory

# <script> types that browsers treat as data, not code (json_script writes application/json).
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}


class InlineScriptFinder(HTMLParser):
    """Collects what a strict script-src blocks: inline <script> code, on* handler attributes
    and javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
        script_type = (attributes.get("type") or "").lower()
        if tag == "script" and "src" not in attributes and script_type not in DATA_SCRIPT_TYPES:
            self._in_inline_script = True

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.found.append(f"<script>{data.strip()[:60]}…</script>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def inline_scripts(html: str) -> list[str]:
    finder = InlineScriptFinder()
    # In a template's source, {% if %} blocks inside a tag would read as attribute names.
    finder.feed(re.sub(r"{%.*?%}|{#.*?#}", " ", html))
    return finder.found


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


def test_the_finder_catches_each_kind_of_inline_script():
    html = (
        '<script>alert(1)</script><button onclick="go()">Go</button>'
        '<a href="javascript:go()">Go</a>'
        '<script src="/static/js/a.js"></script><script type="application/json">{}</script>'
    )
    assert len(inline_scripts(html)) == 3


@pytest.mark.django_db
def test_pages_send_a_policy_that_allows_scripts_only_from_the_site(client):
    response = client.get("/accounts/login/")

    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_the_api_and_public_feed_send_the_policy_too(client):
    assert "Content-Security-Policy" in client.get("/openreferral/services").headers


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_the_shared_layout_has_no_inline_script(client, signed_in):
    if signed_in:
        client.force_login(PracticeManagerFactory())
    response = client.get("/" if signed_in else "/accounts/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert inline_scripts(html) == []
    assert "js/js-enabled.js" in html and "js/nhsuk-init.js" in html


@pytest.mark.django_db
def test_the_api_docs_load_swagger_ui_start_up_script_by_url(client):
    client.force_login(PracticeManagerFactory())
    page = client.get("/api/docs/")

    html = page.content.decode()
    assert page.status_code == 200 and inline_scripts(html) == []
    sources = [unescape(src) for src in re.findall(r'<script src="([^"]+)"', html)]
    start_up = [src for src in sources if "script=" in src]
    assert len(start_up) == 1
    script = client.get(start_up[0])
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_no_template_has_inline_script():
    templates = sorted(Path(settings.BASE_DIR, "templates").rglob("*.html"))
    assert templates
    offenders = {
        str(path.relative_to(settings.BASE_DIR)): found
        for path in templates
        if (found := inline_scripts(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}
