"""axe-core (vendored, static/vendor/axe-core-<version>/) on the main page of each role, in
English, Dutch and French: no WCAG 2.1 A/AA violation of serious or critical impact, and
none of the page-structure rules broken (landmarks, heading order, skip link).
Keyboard checks that axe cannot make: the skip link moves focus to the content, and the
focused element is visibly outlined.

The demo edition is seeded once for this module (seeding takes seconds, and every page
only reads it) and emptied after its last test, as the suite's autouse fixture would.
Pages whose domain is not merged yet (schedule, talk, door) are skipped with the reason.
"""

from __future__ import annotations

import pytest

from convention.demo import seed_demo
from convention.extensions import db as _db
from convention.extensions import limiter
from tests.conftest import empty_every_table
from tests.e2e.screens import (
    AXE_PATH,
    LANGUAGES,
    SCREENS,
    VIEWPORTS,
    DemoFacts,
    blocking,
    choose_language,
    describe,
    missing_route,
    open_screen,
    run_axe,
    sign_in,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo(app):
    with app.app_context():
        seed_demo()
        _db.session.commit()
        facts = DemoFacts.read()
        _db.session.remove()
    yield facts
    with app.app_context():
        _db.session.remove()
        empty_every_table()  # audit_entries by TRUNCATE on PostgreSQL: its trigger refuses DELETE


@pytest.fixture(autouse=True)
def _clean_database(app, demo):
    """Overrides the suite's fixture of the same name: the tables are emptied once, by
    ``demo``, after the module's last test, instead of after each test."""
    ctx = app.app_context()
    ctx.push()
    limiter.reset()
    yield
    _db.session.rollback()
    _db.session.remove()
    ctx.pop()


@pytest.fixture(scope="module")
def signed_in(browser, live_server, demo):
    """One signed-in browser state per person, reused by every language and page."""
    states = {}

    def state_of(who):
        if who is not None and who not in states:
            context = browser.new_context(base_url=live_server)
            sign_in(context, live_server, who)
            states[who] = context.storage_state()
            context.close()
        return states.get(who)

    return state_of


def test_axe_core_is_vendored_with_its_version():
    assert AXE_PATH.stat().st_size > 100_000
    assert AXE_PATH.read_text(encoding="utf-8").startswith(f"/*! axe v{AXE_PATH.parent.name.removeprefix('axe-core-')}")
    assert (AXE_PATH.parent / "LICENSE").exists()
    # Only the tests inject it: no page of the site links it.
    templates = AXE_PATH.parents[3] / "templates"
    assert not [t for t in templates.rglob("*.html") if "vendor/axe" in t.read_text(encoding="utf-8")]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_no_serious_accessibility_violations(app, browser, live_server, demo, signed_in, screen, language):
    reason = missing_route(app, screen.path(demo))
    if reason:
        pytest.skip(reason)
    # bypass_csp: axe is injected as an inline script, which the site's CSP rightly refuses.
    context = browser.new_context(base_url=live_server, storage_state=signed_in(screen.who), bypass_csp=True)
    try:
        choose_language(context, live_server, language)
        page = context.new_page()
        page.set_default_timeout(15_000)
        problem = open_screen(page, live_server, screen, demo)
        if problem:
            pytest.skip(problem)
        assert page.locator("html").get_attribute("lang") == language
        violations = run_axe(page)
        where = page.url
        wordless = page.evaluate("() => [...document.querySelectorAll('.badge')].filter(b => !b.textContent.trim()).length")
        # WCAG 1.4.10 (reflow): at phone width nothing is cut off or needs sideways scrolling,
        # and the footer's language switcher is on the screen.
        page.set_viewport_size(VIEWPORTS["phone"])
        page_width = page.evaluate("() => document.documentElement.scrollWidth")
        switcher = page.locator(".language-switcher").bounding_box()
    finally:
        context.close()
    failures = blocking(violations)
    assert not failures, f"{screen.name} ({language}, {where}):\n{describe(failures)}"
    assert wordless == 0, "a status badge must say its status in words, not by colour alone"
    assert page_width <= VIEWPORTS["phone"]["width"], f"{where} is {page_width}px wide on a 390px phone"
    assert switcher and switcher["x"] >= 0 and switcher["x"] + switcher["width"] <= VIEWPORTS["phone"]["width"]


def _focused(page) -> dict:
    return page.evaluate(
        "() => { const el = document.activeElement; const style = getComputedStyle(el); const box = el.getBoundingClientRect();"
        " return {id: el.id, cls: el.className, tag: el.tagName, inMain: !!el.closest('main'), inNav: !!el.closest('nav'),"
        " outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth), width: box.width, height: box.height}; }"
    )


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page, demo):
    page.goto(f"/{demo.slug}/")
    page.keyboard.press("Tab")
    skip = _focused(page)
    assert "skip-link" in skip["cls"]
    assert skip["width"] > 20 and skip["height"] > 10, "the focused skip link must be visible"
    page.keyboard.press("Enter")
    # a same-page jump: Playwright learns of the new address a moment after the key press
    page.wait_for_url("**/#main", timeout=5_000)
    assert _focused(page)["id"] == "main"
    page.keyboard.press("Tab")
    after = _focused(page)
    assert after["inMain"] and not after["inNav"], f"Tab after the skip link went to {after}"


def test_every_keyboard_stop_is_visibly_outlined(page, demo):
    """Tab through the sign-in page (menu, fields, button, footer): each stop draws an outline."""
    page.goto("/login")
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["tag"] == "BODY":
            break
        seen.append(focused)
        assert focused["outline"] not in ("none", "") and focused["outlineWidth"] >= 2, f"no visible focus on {focused}"
    assert {"INPUT", "A"} <= {f["tag"] for f in seen}
