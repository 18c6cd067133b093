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

from pcn_admin.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
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
    axe-core."""
    reason = _axe_unavailable_reason()
    if reason and (shutil.which("npm") is None or not os.environ.get("BROWSER_TESTS_REQUIRED")):
        pytest.skip(reason)
    assert not reason, reason  # CI builds the static files with npm: there it must be present
    context = browser.new_context(
        base_url=live_site.url,
        locale="en-GB",
        bypass_csp=True,
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def demo(live_site):
    """The demo's data and its people, one of each role (`make seed`)."""
    call_command("seed_demo", stdout=io.StringIO())


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


def _axe(page) -> dict:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )


def _check(page, path: str) -> list[str] | None:
    """axe's violations and the id problems on the page at `path`; None when it is not an
    HTML page (a file) or is refused (a 403 or 404 is another test's business)."""
    response = page.request.get(path)
    if response.status >= 500:
        return [f"the page fails: {response.status}"]
    if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
        return None
    page.goto(path)
    results = _axe(page)
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
def test_no_page_a_role_can_reach_breaks_wcag_22_aa(axe_page, demo, role):
    _sign_in(axe_page, ROLES[role])
    start = ["/"] + [reverse(name) for name in MAIN_PAGES]

    problems, checked = _crawl(axe_page, start)

    assert "home" in checked and len(checked) >= 3, checked  # it did look around
    assert problems == {}, f"{role}: {len(problems)} of {len(checked)} pages"


def test_no_public_page_breaks_wcag_22_aa(axe_page, demo):
    axe_page.goto("/accessibility/")  # signed out
    start = [reverse(name) for name in PUBLIC_PAGES]

    problems, checked = _crawl(axe_page, start)

    assert {"referrals:self_referral", "accessibility"} <= set(checked), checked
    assert problems == {}


def test_the_api_documentation_page_says_its_language(page, visit):
    """The Swagger UI bundle is not checked (see the accessibility statement), but its page
    is ours: it names its language, so screen readers speak it in English."""
    visit(reverse("api-docs"))
    assert page.locator("html").get_attribute("lang") == "en-GB"


# What axe finds in the Swagger UI bundle, by the WCAG 2.2 success criterion the accessibility
# statement names for it.
SWAGGER_UI_FAULTS = {
    "color-contrast": "1.4.3 Contrast (Minimum)",
    "nested-interactive": "4.1.2 Name, Role, Value",
    "target-size": "2.5.8 Target Size (Minimum)",
}


def test_the_accessibility_statement_names_every_fault_axe_finds_in_swagger_ui(axe_page):
    """The one page left out above: what axe finds there is what the statement says, no more
    (when a new bundle fixes a fault, say so in the statement, and this test will agree)."""
    axe_page.goto(reverse("api-docs"))
    axe_page.locator(".opblock").first.wait_for()  # the bundle has drawn the operations
    found = {violation["id"] for violation in _axe(axe_page)["violations"]}

    assert found == set(SWAGGER_UI_FAULTS)
    axe_page.goto("/")
    axe_page.get_by_role("link", name="Accessibility statement").click()
    statement = axe_page.get_by_role("main").inner_text()
    for criterion in SWAGGER_UI_FAULTS.values():
        assert criterion in statement


# The NHS.UK focus style (WCAG 2.2, 2.4.7 and 1.4.11): yellow #ffeb3b with black #212b32.
YELLOW, BLACK, WHITE = "rgb(255, 235, 59)", "rgb(33, 43, 50)", "rgb(255, 255, 255)"


@pytest.mark.parametrize("stylesheets", ["nhsuk-frontend", "fallback only"])
def test_a_focused_box_is_outlined_in_yellow_and_black_not_yellow_alone(
    page, log_in, visit, stylesheets
):
    """Yellow alone is about 1.2:1 against the white page; the black border inside it is
    what a keyboard user sees (the post form's boxes, which Django renders plainly)."""
    from tests.browser.test_claim_form_browser import _contrast
    from tests.networks.factories import MembershipFactory
    from tests.pcn_admin.factories import PracticeManagerFactory

    if stylesheets == "fallback only":  # static/vendor not built (no npm)
        page.route("**/static/vendor/**", lambda route: route.abort())
    log_in(PracticeManagerFactory(practice=MembershipFactory().practice))
    visit(reverse("roles:post_create"))

    box = page.get_by_label("Name", exact=True)
    box.focus()
    style = box.evaluate(
        """box => { const s = getComputedStyle(box);
          return {outline: s.outlineColor, outlineWidth: s.outlineWidth,
                  border: s.borderTopColor, shadow: s.boxShadow}; }"""
    )
    assert style["outline"] == YELLOW and style["outlineWidth"] != "0px", style
    assert style["border"] == BLACK and BLACK in style["shadow"], style
    assert _contrast(style["border"], WHITE) >= 3 and _contrast(style["border"], YELLOW) >= 3
