"""The claim form, the page practice managers use most, in Chromium: it fits a 1,280px window
and a 320px phone whatever the names in it, its screen-reader labels stay hidden (with the
NHS.UK stylesheet and with only the fallback sheet, as without npm), and its secondary button
can be read. A May 2026 claim once rendered 13,895px wide: a long unbroken name, shown again
in every cell's label because those labels were not hidden."""

import datetime as dt

import pytest

from reimbursement import services
from tests.networks.factories import MembershipFactory, NominatedPayeeFactory, PCNFactory
from tests.pcn_admin.factories import PracticeManagerFactory
from tests.roles.factories import PostFactory, RoleFactory

pytestmark = pytest.mark.browser

MAY_2026 = dt.date(2026, 5, 1)
LINES = 14
# A name as a test of escaping might type it: 200 characters (the field's limit), no spaces.
UNBROKEN_NAME = ("Hannah-" + "Robson" * 32)[:194] + "-Smith"
assert len(UNBROKEN_NAME) == 200  # PostgreSQL refuses a longer one

# Elements that must be visually hidden: each box at most this size (clip to 1px square).
HIDDEN_BOXES = """() => [...document.querySelectorAll('.nhsuk-u-visually-hidden, .visually-hidden')]
  .map(e => e.getBoundingClientRect())
  .filter(box => box.width > 1 || box.height > 1).length"""


def _contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two CSS rgb()/rgba() colours."""

    def luminance(colour: str) -> float:
        channels = [float(c) for c in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        linear = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in (channel / 255 for channel in channels)
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.fixture
def long_claim(live_site):
    """A May 2026 draft with many lines, one for a person with a 200-character unbroken name."""
    pcn = PCNFactory()
    practice = MembershipFactory(pcn=pcn).practice
    NominatedPayeeFactory(pcn=pcn, practice=practice, start_date=dt.date(2019, 7, 1))
    link_worker = RoleFactory(code="social_prescribing_link_worker")
    PostFactory(pcn=pcn, role=link_worker, person_name=UNBROKEN_NAME, employing_practice=practice)
    for _ in range(LINES - 1):
        PostFactory(pcn=pcn, role=link_worker, employing_practice=practice)
    manager = PracticeManagerFactory(practice=practice)
    claim = services.claim_create(pcn=pcn, month=MAY_2026, by=manager)
    assert claim.lines.count() == LINES
    return manager, claim


@pytest.mark.parametrize("stylesheets", ["nhsuk-frontend", "fallback only"])
def test_the_claim_form_fits_1280px_with_no_visible_screen_reader_labels(
    page, log_in, visit, long_claim, stylesheets
):
    from playwright.sync_api import expect

    manager, claim = long_claim
    if stylesheets == "fallback only":  # as on a machine without npm: static/vendor not built
        page.route("**/static/vendor/**", lambda route: route.abort())
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(manager)
    visit(f"/reimbursement/claims/{claim.pk}/edit/")

    salary = page.get_by_label(f"Salary for {UNBROKEN_NAME}")
    expect(salary).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate(HIDDEN_BOXES) == 0
    # Typing costs shows the line's breakdown: it must not widen the page either.
    salary.fill("2100.00")
    page.get_by_label(f"Employer NI for {UNBROKEN_NAME}").fill("210.00")
    page.get_by_label(f"Employer pension for {UNBROKEN_NAME}").fill("300.00")
    expect(page.locator("[data-breakdown]").first).not_to_have_text("Enter the costs")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    refresh = page.get_by_role("button", name="Refresh the lines from the staff in post")
    expect(refresh).to_be_visible()
    text, background = refresh.evaluate(
        """button => {
          let colour = getComputedStyle(button).color, node = button, fill = 'rgba(0, 0, 0, 0)';
          while (node && /rgba\\(.*, 0\\)|transparent/.test(fill)) {
            fill = getComputedStyle(node).backgroundColor; node = node.parentElement;
          }
          return [colour, /rgba\\(.*, 0\\)|transparent/.test(fill) ? 'rgb(255, 255, 255)' : fill];
        }"""
    )
    assert _contrast(text, background) >= 4.5, (text, background)


def test_at_320px_each_line_stacks_and_every_cost_can_be_typed(page, log_in, visit, long_claim):
    from playwright.sync_api import expect

    manager, claim = long_claim
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(manager)
    visit(f"/reimbursement/claims/{claim.pk}/edit/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.evaluate(HIDDEN_BOXES) == 0
    line = claim.lines.select_related("post").order_by("pk").last()
    name = line.post.person_name
    for label, value in [("Salary", "2100"), ("Employer NI", "210"), ("Employer pension", "300")]:
        box = page.get_by_label(f"{label} for {name}")
        box.fill(value)
        expect(box).to_have_value(value)
        bounds = box.bounding_box()
        assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 320
    # Each cell says what it is: its column's heading shows beside the input on a phone.
    row = page.locator(f"#line-{line.pk}")
    expect(row.get_by_text("Employer pension (£)")).to_be_visible()
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
