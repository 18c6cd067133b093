"""WCAG 2.2 AA in Chromium: axe-core (from npm, package.json) on every page each demo role can
reach from its home page and the main pages, and on the public pages signed out. Any
violation of the WCAG 2.0, 2.1 and 2.2 A and AA rules fails. Beside axe, two checks it does
not make: every id an element names (aria-describedby, aria-labelledby, a label's `for`) is
on the page, and no id is used twice.

The pages are found as a person finds them: from the home page (and the main pages: claims,
ARRS staff, referrals, payment batches, dashboards) each link in the page is followed, one
page of each kind (by URL name), two clicks deep. Not checked: the Swagger UI page
(/api/docs/, a bundle we do not write: the accessibility statement names its faults), the
API and Open Referral UK feed (JSON), files (CSV, XLSX), and the Django administration past
its index page. Skipped, with the reason, where npm is not installed.
"""

import io
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse

pytestmark = pytest.mark.browser

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DEMO_PASSWORD = "pcn-demo-2026"  # pcn_admin/demo.py
ROLES = {
    "superuser": "admin",
    "commissioner staff": "demo-commissioner",
    "clinical director": "demo-director",
    "practice manager": "demo-practice",
    "link worker": "demo-linkworker",
    "community organisation": "demo-charity",
}
MAIN_PAGES = [
    "reimbursement:claim_list",
    "roles:post_list",
    "roles:post_create",
    "referrals:caseload",
    "referrals:queue",
    "reimbursement:batch_list",
    "dashboards:commissioner_dashboard",
]
PUBLIC_PAGES = [
    "referrals:self_referral",
    "referrals:privacy_notice",
    "accessibility",
    "login",
    "password_reset",
]
# Not pages of ours to check: what the module docstring lists.
NOT_CHECKED_PREFIXES = ("/api/", "/openreferral/", "/static/", "/admin/", "/health/")
NOT_CHECKED_NAMES = {"logout", "api-docs", "schema", "oidc_authentication_init"}
ADMIN_INDEX = "/admin/"
DEPTH = 2

# Duplicated ids and references to ids that are not on the page, which axe leaves alone.
ID_PROBLEMS = """() => {
  const ids = new Map();
  document.querySelectorAll('[id]').forEach(e => ids.set(e.id, (ids.get(e.id) || 0) + 1));
  const found = [];
  ids.forEach((n, id) => { if (n > 1) found.push(`id="${id}" is used ${n} times`); });
  const named = [['aria-describedby'], ['aria-labelledby'], ['aria-controls'], ['for', 'label']];
  for (const [attribute, tag] of named) {
    document.querySelectorAll(`${tag || ''}[${attribute}]`).forEach(e => {
      for (const id of e.getAttribute(attribute).split(/\\s+/).filter(Boolean)) {
        if (!ids.has(id)) found.push(`${e.tagName.toLowerCase()} ${attribute}="${id}": no such id`);
      }
    });
  }
  return found;
}"""


def _axe_unavailable_reason() -> str:
    if shutil.which("npm") is None:
        return "needs npm (Node.js) for axe-core: install Node.js, then scripts/build_static.sh"
    if not AXE.is_file():
        return f"needs {AXE.relative_to(settings.BASE_DIR)}: run `npm ci` (scripts/build_static.sh)"
    return ""


@pytest.fixture
def axe_page(browser, live_site):
    """A page whose Content-Security-Policy (script-src 'self') does not stop the injected
    axe-core, and the demo's data and people."""
    reason = _axe_unavailable_reason()
    if reason and (shutil.which("npm") is None or not os.environ.get("BROWSER_TESTS_REQUIRED")):
        pytest.skip(reason)
    assert not reason, reason  # CI builds the static files with npm: there it must be present
    call_command("seed_demo", stdout=io.StringIO())
    context = browser.new_context(
        base_url=live_site.url,
        locale="en-GB",
        bypass_csp=True,
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _sign_in(page, username: str):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


def _kind(path: str) -> str | None:
    """One page of each kind is checked: its URL name, or None for what is not checked."""
    if path == ADMIN_INDEX:
        return "admin:index"
    if path.startswith(NOT_CHECKED_PREFIXES):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    name = match.view_name
    return None if name in NOT_CHECKED_NAMES else name


def _links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" == origin and parts.path:
            paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def _check(page, path: str) -> list[str] | None:
    """axe's violations and the id problems on the page at `path`; None when it is not an
    HTML page (a file) or does not open."""
    response = page.request.get(path)
    if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
        return None
    page.goto(path)
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    found = [
        f"{violation['id']} ({violation['impact']}): {violation['help']}; "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results["violations"]
    ]
    return found + page.evaluate(ID_PROBLEMS)


def _crawl(page, start: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Each page reached from `start`, one of each kind, DEPTH links deep: its problems."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    seen: set[str] = set()
    problems: dict[str, list[str]] = {}
    checked: list[str] = []
    level = start
    for _ in range(DEPTH + 1):
        following = []
        for path in level:
            kind = _kind(urlsplit(path).path)
            if kind is None or kind in seen:
                continue
            seen.add(kind)
            found = _check(page, path)
            if found is None:
                continue
            checked.append(kind)
            if found:
                problems[f"{path} ({kind})"] = found
            if kind != "admin:index":
                following += _links(page, origin)
        level = following
    return problems, checked


@pytest.mark.parametrize("role", ROLES)
def test_no_page_a_role_can_reach_breaks_wcag_22_aa(axe_page, role):
    _sign_in(axe_page, ROLES[role])
    start = ["/"] + [reverse(name) for name in MAIN_PAGES]

    problems, checked = _crawl(axe_page, start)

    assert "home" in checked and len(checked) >= 4, checked  # it did look around
    assert problems == {}, f"{role}: {len(problems)} of {len(checked)} pages"


def test_no_public_page_breaks_wcag_22_aa(axe_page):
    axe_page.goto("/accessibility/")  # signed out
    start = [reverse(name) for name in PUBLIC_PAGES]

    problems, checked = _crawl(axe_page, start)

    assert {"referrals:self_referral", "accessibility"} <= set(checked), checked
    assert problems == {}


def test_the_api_documentation_page_says_its_language(axe_page):
    """The Swagger UI bundle is not checked (see the accessibility statement), but its page
    is ours: it names its language, so screen readers speak it in English."""
    axe_page.goto(reverse("api-docs"))
    assert axe_page.locator("html").get_attribute("lang") == "en-GB"
