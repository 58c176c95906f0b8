"""Browser journey: the door page's camera reads a badge's QR code and checks the person in.

Chromium films a fake camera that plays a Y4M video of the ticket's QR code
(``--use-file-for-fake-video-capture``), so the vendored zxing-wasm decodes a real QR image
from a real ``getUserMedia`` stream; nothing in the page is stubbed. And the door page's
reader, under the door page's own Content-Security-Policy, reads every code of a printed
badge sheet: the JavaScript reader used before missed about one clean code in ten, which
made the camera test fail now and then and would have left badges unreadable at the door."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.badges.keys import code_signer, ticket_code
from convention.badges.pdf import BadgeFace, render_badges
from convention.checkin.models import Checkin
from convention.core.codes import new_code
from convention.editions.models import Role
from convention.extensions import db
from tests.badges.helpers import page_images
from tests.checkin.helpers import registration
from tests.e2e.conftest import CHROMIUM_FLAGS, VIEWPORTS, _chromium_path, csp_violations, sign_in_through_the_form
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
        violations = csp_violations(page)
        sign_in_through_the_form(page, "door@example.org", "correct horse battery", lands_on="**/camera-door/checkin/")
        page.get_by_role("button", name="Scan with the camera").click()
        answer = page.locator("#door-answer")
        answer.locator(".door-message").filter(has_text="Checked in").wait_for()
        assert "Grace Hopper" in answer.inner_text()
        page.wait_for_timeout(4_000)  # the badge stays in view longer than door.js's REPEAT_MS (3 s)
        assert "Checked in" in answer.inner_text() and "Already" not in answer.inner_text()
        assert answer.get_attribute("aria-live") == "assertive"
        assert page.get_by_role("button", name="Stop the camera").get_attribute("aria-pressed") == "true"
        page.get_by_role("button", name="Stop the camera").click()
        assert page.locator("#door-video").is_hidden()
        assert violations == []
    finally:
        camera.close()
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Checkin).where(Checkin.attendee_id == attendee.id)).all()
    # the badge stayed in view for 4 s: one scan, not one per frame nor one every REPEAT_MS
    assert [(row.status, row.device) for row in rows] == [("checked_in", "camera")]


# What door.js does with a camera frame, done here with a rendered sheet page: load the
# vendored reader the page names, point it at the vendored .wasm, read every QR code.
READ_PAGES = """async (pages) => {
  const camera = document.getElementById("door-camera");
  await new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = camera.dataset.library;
    script.onload = resolve;
    script.onerror = reject;
    document.head.appendChild(script);
  });
  ZXingWASM.prepareZXingModule({ overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? camera.dataset.wasm : prefix + path) } });
  const found = [];
  for (const url of pages) {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = image.width;
    canvas.height = image.height;
    const drawing = canvas.getContext("2d");
    drawing.drawImage(image, 0, 0);
    const results = await ZXingWASM.readBarcodes(drawing.getImageData(0, 0, canvas.width, canvas.height), { formats: ["QRCode"], maxNumberOfSymbols: 0 });
    found.push(...results.filter((result) => result.isValid).map((result) => result.text));
  }
  return found;
}"""
SHEET_DPI = 150  # a phone's camera sees a badge at about this resolution, not the printer's 300


def test_the_door_pages_reader_reads_every_code_of_a_printed_sheet(page):
    import base64
    import io

    edition = make_edition(slug="sheet-door")
    give_role(edition, make_user(email="reader@example.org"), Role.CHECKIN)
    sign = code_signer(edition.id)
    codes = [sign(new_code(8)) for _ in range(48)]  # registrations' codes are new_code(8): random, like these
    db.session.commit()
    faces = [BadgeFace(name=f"Person {n}", organisation="ACME", role="attendee", role_label="Attendee",
                       edition_name=edition.name, code=code) for n, code in enumerate(codes)]
    pages = []
    for image in page_images(render_badges(faces, sheet=True), dpi=SHEET_DPI):
        png = io.BytesIO()
        image.save(png, format="PNG")
        pages.append("data:image/png;base64," + base64.b64encode(png.getvalue()).decode())
    violations = csp_violations(page)
    sign_in_through_the_form(page, "reader@example.org", "correct horse battery", lands_on="**/sheet-door/checkin/")
    found = page.evaluate(READ_PAGES, pages)
    assert sorted(found) == sorted(codes)  # every badge of the six pages, each once
    assert violations == []


def test_a_reader_that_cannot_load_says_so_and_leaves_the_typed_input(page):
    """The WebAssembly fails to arrive (a proxy that blocks it, say): the door says the code
    reader could not be loaded, turns the camera button back, and the input keeps the focus."""
    edition = make_edition(slug="no-reader")
    give_role(edition, make_user(email="door@example.org"), Role.CHECKIN)
    db.session.commit()
    page.route("**/*.wasm", lambda route: route.abort())
    sign_in_through_the_form(page, "door@example.org", "correct horse battery", lands_on="**/no-reader/checkin/")
    page.get_by_role("button", name="Scan with the camera").click()
    note = page.locator("#door-camera-note")
    note.filter(has_text="The code reader could not be loaded").wait_for()
    toggle = page.get_by_role("button", name="Scan with the camera")
    assert toggle.get_attribute("aria-pressed") == "false"
    assert page.locator("#door-video").is_hidden()
    assert page.get_by_label("Ticket code").evaluate("el => el === document.activeElement")
