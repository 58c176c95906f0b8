import pytest

from tests.e2e.conftest import save_screenshots
from tests.factories import make_edition

pytestmark = pytest.mark.e2e


def test_home_page_lists_editions_and_passes_csp(page, live_server):
    edition = make_edition(name="Cyber Security Convention 2027")
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto("/")
    assert page.get_by_role("link", name="Cyber Security Convention 2027").is_visible()
    page.get_by_role("link", name="Cyber Security Convention 2027").click()
    page.wait_for_url(f"**/{edition.slug}/")
    assert page.locator("h1").inner_text() == "Cyber Security Convention 2027"
    shots = save_screenshots(page, "edition-landing")
    assert all(shot.stat().st_size > 10_000 for shot in shots)
    assert violations == []
