"""Browser journey: the door page's camera reads a badge's QR code and checks the person in.

Chromium films a fake camera that plays a Y4M video of the ticket's QR code
(``--use-file-for-fake-video-capture``), so the vendored @zxing/browser decodes a real
QR image from a real ``getUserMedia`` stream; nothing in the page is stubbed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.badges.keys import ticket_code
from convention.checkin.models import Checkin
from convention.editions.models import Role
from convention.extensions import db
from tests.checkin.helpers import registration
from tests.e2e.conftest import CHROMIUM_FLAGS, VIEWPORTS, _chromium_path
from tests.factories import give_role, make_edition, make_user

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 640, 480


def _qr_video(code: str, path) -> None:
    """A few frames of 4:2:0 Y4M showing the QR code of ``code``, black on white."""
    qrcode = pytest.importorskip("qrcode", reason="qrcode draws the badge's QR code (requirements.txt)")
    image = qrcode.make(code, border=4).get_image().convert("L").resize((400, 400))
    frame = bytearray(b"\xff" * (WIDTH * HEIGHT))
    left, top = (WIDTH - 400) // 2, (HEIGHT - 400) // 2
    pixels = image.tobytes()
    for row in range(400):
        start = (top + row) * WIDTH + left
        frame[start : start + 400] = pixels[row * 400 : (row + 1) * 400]
    chroma = b"\x80" * (WIDTH * HEIGHT // 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(b"FRAME\n" + bytes(frame) + chroma)


def test_the_camera_reads_a_badge_and_checks_the_person_in(browser, live_server, tmp_path):
    edition = make_edition(slug="camera-door")
    attendee, _code = registration(edition, name="Grace Hopper")
    give_role(edition, make_user(email="door@example.org"), Role.CHECKIN)
    code = ticket_code(edition.id, attendee.code)
    db.session.commit()
    video = tmp_path / "qr.y4m"
    _qr_video(code, video)
    camera = browser.browser_type.launch(
        executable_path=_chromium_path(),
        headless=True,
        args=[
            *CHROMIUM_FLAGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera.new_context(base_url=live_server, viewport=VIEWPORTS["phone"])
        context.grant_permissions(["camera"], origin=live_server)
        page = context.new_page()
        page.set_default_timeout(20_000)
        violations = []
        page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
        page.goto("/login")
        page.get_by_label("Email").fill("door@example.org")
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/camera-door/checkin/")
        page.get_by_role("button", name="Scan with the camera").click()
        answer = page.locator("#door-answer")
        answer.locator(".door-message").filter(has_text="Checked in").wait_for()
        assert "Grace Hopper" in answer.inner_text()
        assert answer.get_attribute("aria-live") == "assertive"
        assert page.get_by_role("button", name="Stop the camera").get_attribute("aria-pressed") == "true"
        page.get_by_role("button", name="Stop the camera").click()
        assert page.locator("#door-video").is_hidden()
        assert violations == []
    finally:
        camera.close()
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Checkin).where(Checkin.attendee_id == attendee.id)).all()
    # the badge stayed in view for a while: one scan, not one per frame (door.js ignores repeats)
    assert [(row.status, row.device) for row in rows] == [("checked_in", "camera")]
