"""The main pages of each role, as the accessibility test and the screenshot command see them.

A ``Screen`` names a page of the demo edition, who is signed in to see it and, when the
page needs a step first (an empty form sent to show its errors, a link followed), that
step. ``tests/e2e/test_accessibility.py`` runs axe-core on every screen in every interface
language; ``python -m tests.e2e.screenshots`` photographs them at phone and laptop widths.
A page of a domain that is not merged yet (the public schedule, a talk, the door) is
skipped with its reason until its route exists: adding a page is one line in ``SCREENS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from werkzeug.exceptions import MethodNotAllowed, NotFound

from convention.accounts.models import User
from convention.demo import DEMO_PEOPLE, DEMO_SLUG
from convention.editions.models import Edition
from convention.extensions import db
from convention.registration.models import Order
from convention.registration.states import OrderState
from convention.review.scoring import queue_of

ROOT = Path(__file__).resolve().parents[2]
AXE_VERSION = "4.14.1"
AXE_PATH = ROOT / "static" / "vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
# WCAG 2.1 level A and AA: what the issue asks for; a violation of serious or critical impact fails.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")
# axe files these under "best-practice" with a moderate impact, but they are the page's
# structure a screen reader navigates by (landmarks, headings, the skip link): any one fails.
STRUCTURE_RULES = (
    "region", "landmark-one-main", "landmark-unique", "landmark-no-duplicate-main", "heading-order",
    "page-has-heading-one", "skip-link", "empty-heading", "empty-table-header",
)
LANGUAGES = ("en", "nl", "fr")
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 768}}
PASSWORDS = {key: (email, password) for _role, key, _name, email, password in DEMO_PEOPLE}


@dataclass(frozen=True)
class DemoFacts:
    """The demo rows a screen's address needs, read once after seeding."""

    slug: str
    proposal_to_score: str  # a proposal in Ravi Reviewer's queue
    paid_order: str  # the secret of Arne Attendee's paid order
    reserved_order: str  # the secret of an order awaiting its bank transfer

    @classmethod
    def read(cls) -> DemoFacts:
        edition = db.session.scalar(sa.select(Edition).where(Edition.slug == DEMO_SLUG))
        reviewer = db.session.scalar(sa.select(User).where(User.email == PASSWORDS["reviewer1"][0]))
        attendee = db.session.scalar(sa.select(User).where(User.email == PASSWORDS["attendee"][0]))
        orders = sa.select(Order.secret).where(Order.edition_id == edition.id).order_by(Order.id)
        return cls(
            slug=edition.slug,
            proposal_to_score=queue_of(reviewer, edition).items[0].code,
            paid_order=db.session.scalar(orders.where(Order.user_id == attendee.id)),
            reserved_order=db.session.scalar(orders.where(Order.state == OrderState.RESERVED).limit(1)),
        )


def _fill_first_quantity(page) -> None:
    """In the ticket shop: one seat of the first ticket on sale, then Continue."""
    page.locator("select[id^='q-']").first.select_option("1")
    with page.expect_navigation():  # wait for the next page, not the shop already loaded
        page.locator("form.shop-form button[type=submit]:not([formaction])").click()


def _send_empty_form(page) -> None:
    """Send the page's main form empty (skipping the browser's own checks) to show its errors."""
    with page.expect_navigation():  # the answer with the errors, not the form already loaded
        page.locator("main form[method=post] [type=submit]").first.click()


@dataclass(frozen=True)
class Screen:
    name: str
    path: Callable[[DemoFacts], str]
    who: str | None = None  # a key of DEMO_PEOPLE, None for an anonymous visitor
    then: Callable | None = None  # a step on the page before it is checked
    follow: str | None = None  # a CSS selector of a link on the page to open first


SCREENS = [
    Screen("home", lambda d: "/"),
    Screen("landing", lambda d: f"/{d.slug}/"),
    Screen("sign-in", lambda d: "/login"),
    Screen("sign-in-errors", lambda d: "/login", then=_send_empty_form),
    Screen("call-for-papers", lambda d: f"/{d.slug}/cfp/"),
    Screen("proposal-form", lambda d: f"/{d.slug}/cfp/submit", who="speaker"),
    Screen("proposal-form-errors", lambda d: f"/{d.slug}/cfp/submit", who="speaker", then=_send_empty_form),
    Screen("my-proposals", lambda d: f"/{d.slug}/cfp/proposals/", who="speaker"),
    Screen("review-queue", lambda d: f"/{d.slug}/review/queue", who="reviewer1"),
    Screen("review-scoring", lambda d: f"/{d.slug}/review/proposals/{d.proposal_to_score}/score", who="reviewer1"),
    Screen("committee-ranking", lambda d: f"/{d.slug}/manage/review/ranking", who="organizer"),
    Screen("ticket-shop", lambda d: f"/{d.slug}/tickets/"),
    Screen("checkout", lambda d: f"/{d.slug}/tickets/", then=_fill_first_quantity),
    Screen("order-paid", lambda d: f"/{d.slug}/orders/{d.paid_order}/"),
    Screen("order-awaiting-transfer", lambda d: f"/{d.slug}/orders/{d.reserved_order}/"),
    Screen("schedule", lambda d: f"/{d.slug}/schedule/"),
    Screen("talk", lambda d: f"/{d.slug}/schedule/", follow="main a[href*='/talk/']"),
    Screen("schedule-grid", lambda d: f"/{d.slug}/manage/schedule/", who="organizer"),
    Screen("door", lambda d: f"/{d.slug}/checkin/", who="staff"),
    Screen("door-arrivals", lambda d: f"/{d.slug}/manage/checkin/", who="organizer"),
    Screen("door-list-form", lambda d: f"/{d.slug}/manage/checkin/lists/new", who="organizer"),
    Screen("api-tokens", lambda d: f"/{d.slug}/manage/tokens/", who="organizer"),
    Screen("badges", lambda d: f"/{d.slug}/manage/badges/", who="organizer"),
    Screen("account", lambda d: "/account", who="attendee"),
    Screen("two-factor-setup", lambda d: "/account/two-factor", who="speaker"),
    Screen("your-data", lambda d: "/account/privacy", who="attendee"),
    Screen("privacy-notice", lambda d: f"/{d.slug}/privacy"),
    Screen("audit-log", lambda d: f"/{d.slug}/manage/audit/", who="organizer"),
]


def missing_route(app, path: str) -> str | None:
    """Why ``path`` cannot be shown yet (no GET route answers it), or None when it can."""
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(path.split("?", 1)[0], method="GET")
    except NotFound:
        return f"no route answers GET {path} yet (its domain is not merged)"
    except MethodNotAllowed:
        return f"{path} does not answer GET"
    return None


def sign_in(context, base_url: str, who: str) -> None:
    """Sign ``who`` in through the real form, in English, before any language is chosen."""
    email, password = PASSWORDS[who]
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():  # the form's POST, then its redirect: wait_for_load_state alone
        page.locator("main form [type=submit]").first.click()  # could see the sign-in page still loaded
    if "/login" in page.url:
        raise AssertionError(f"could not sign in as {email}")
    page.close()


def choose_language(context, base_url: str, language: str) -> None:
    """What the footer's switcher does: the ``language`` cookie (it wins over the account's)."""
    context.add_cookies([{"name": "language", "value": language, "url": base_url}])


def open_screen(page, base_url: str, screen: Screen, facts: DemoFacts) -> str | None:
    """Go to ``screen`` and take its step; returns why it cannot be shown yet, or None.
    A page that answers an error is a failure, not a reason."""
    response = page.goto(base_url + screen.path(facts))
    if response is None or response.status >= 400:
        raise AssertionError(f"{screen.path(facts)} answered {response.status if response else 'nothing'}")
    if screen.follow:
        link = page.locator(screen.follow).first
        if link.count() == 0:
            return f"no link matching {screen.follow!r} on {screen.path(facts)} (nothing published yet?)"
        page.goto(base_url + link.get_attribute("href").removeprefix(base_url))
    if screen.then:
        screen.then(page)
    return None


def run_axe(page) -> list[dict]:
    """axe-core's violations on the current page (WCAG 2.1 A/AA and best practice), every impact."""
    page.add_script_tag(path=str(AXE_PATH))
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
        ".then(result => result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, tags: v.tags,"
        " nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))})))",
        [*WCAG_TAGS, "best-practice"],
    )


def blocking(violations: list[dict]) -> list[dict]:
    """The violations that fail the test: WCAG 2.1 A/AA ones of serious or critical impact,
    and any of the page-structure rules."""
    return [
        v for v in violations
        if (v["impact"] in BLOCKING_IMPACTS and set(v["tags"]) & set(WCAG_TAGS)) or v["id"] in STRUCTURE_RULES
    ]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['summary'].splitlines()[-1].strip() if node['summary'] else ''}")
    return "\n".join(lines)
