"""Screenshots of the main page of each role, in every interface language, at phone and
laptop widths, for a person to look at.

    .venv/bin/python -m tests.e2e.screenshots --out screenshots/

Starts the app on a fresh SQLite database in a temporary folder, fills it with the demo
edition (as `flask demo` does), serves it on a free loopback port and drives Debian's
Chromium (/usr/bin/chromium) through the pages of ``tests/e2e/screens.py``. Writes
``<page>-<language>-<phone|laptop>.png`` (the whole page, not only the first screen) and
an ``index.html`` that shows them side by side. Pages whose domain is not merged yet are
listed as skipped. Nothing outside the temporary folder and ``--out`` is touched.
"""

from __future__ import annotations

import argparse
import html
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

from tests.e2e.conftest import CHROMIUM_FLAGS, _chromium_path
from tests.e2e.screens import (
    LANGUAGES,
    SCREENS,
    VIEWPORTS,
    DemoFacts,
    choose_language,
    missing_route,
    open_screen,
    sign_in,
)


def _demo_app(folder: str):
    for name in ("REDIS_URL", "MAIL_SERVER", "DATABASE_URL"):
        os.environ.pop(name, None)
    from convention import create_app
    from convention.demo import seed_demo
    from convention.extensions import db

    app = create_app({
        "SECRET_KEY": "screenshots-only-secret-key-0123456789abcdef",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/screenshots.sqlite3",
        "UPLOAD_FOLDER": f"{folder}/uploads",
        "MAIL_SERVER": None,
        "REDIS_URL": None,
        "RATELIMIT_ENABLED": False,  # one sign-in per person and width, quicker than any limit allows
        "REQUIRE_ORGANIZER_2FA": False,  # the organizer pages themselves, not the two-factor setup
        "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
    })
    for noisy in ("convention.mail.services", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
        facts = DemoFacts.read()
        db.session.remove()
    return app, facts


def _index(out: Path, shots: list[tuple[str, str, str, str]], skipped: dict[str, str]) -> None:
    rows = []
    for name in dict.fromkeys(shot[0] for shot in shots):
        cells = "".join(
            f'<td><a href="{html.escape(file)}"><img src="{html.escape(file)}" alt="{html.escape(f"{name} {language} {size}")}"'
            f' width="{195 if size == "phone" else 340}"></a><br>{language} · {size}</td>'
            for shot_name, language, size, file in shots if shot_name == name)
        rows.append(f"<tr><th scope=\"row\">{html.escape(name)}</th>{cells}</tr>")
    notes = "".join(f"<li>{html.escape(name)}: {html.escape(reason)}</li>" for name, reason in skipped.items())
    out.joinpath("index.html").write_text(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Screenshots</title>"
        "<style>td{vertical-align:top;padding:4px;font:12px sans-serif}img{border:1px solid #ccc}</style>"
        f"<h1>Screenshots</h1><table>{''.join(rows)}</table>"
        f"{'<h2>Skipped</h2><ul>' + notes + '</ul>' if notes else ''}</html>\n",
        encoding="utf-8",
    )


def take(out: Path, names: set[str] | None, languages: list[str], sizes: list[str]) -> tuple[int, dict[str, str]]:
    from playwright.sync_api import sync_playwright

    chromium = _chromium_path()
    if chromium is None:
        raise SystemExit("Chromium is not installed: apt-get install -y chromium")
    folder = tempfile.mkdtemp(prefix="convention-screenshots-")
    try:
        app, facts = _demo_app(folder)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        base_url = f"http://127.0.0.1:{server.server_port}"
        app.config["BASE_URL"] = base_url
        threading.Thread(target=server.serve_forever, daemon=True).start()
        screens = [s for s in SCREENS if names is None or s.name in names]
        skipped = {s.name: reason for s in screens if (reason := missing_route(app, s.path(facts)))}
        shots = []
        out.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
            for who in dict.fromkeys(s.who for s in screens if s.name not in skipped):
                for size in sizes:
                    context = browser.new_context(viewport=VIEWPORTS[size])
                    if who:
                        sign_in(context, base_url, who)
                    page = context.new_page()
                    page.set_default_timeout(20_000)
                    for language in languages:
                        choose_language(context, base_url, language)
                        for screen in (s for s in screens if s.who == who and s.name not in skipped):
                            reason = open_screen(page, base_url, screen, facts)
                            if reason:
                                skipped[screen.name] = reason
                                continue
                            file = f"{screen.name}-{language}-{size}.png"
                            page.screenshot(path=str(out / file), full_page=True)
                            shots.append((screen.name, language, size, file))
                            print(f"  {file}", flush=True)
                    context.close()
            browser.close()
        server.shutdown()
        order = {s.name: i for i, s in enumerate(SCREENS)}
        shots.sort(key=lambda shot: (order[shot[0]], languages.index(shot[1]), sizes.index(shot[2])))
        _index(out, shots, skipped)
        return len(shots), skipped
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="folder for the PNGs (default: screenshots/)")
    parser.add_argument("--pages", help="comma-separated page names (default: all): " + ", ".join(s.name for s in SCREENS))
    parser.add_argument("--languages", default=",".join(LANGUAGES), help="comma-separated (default: en,nl,fr)")
    parser.add_argument("--sizes", default=",".join(VIEWPORTS), help="comma-separated: phone (390x844), laptop (1366x768)")
    args = parser.parse_args(argv)
    names = set(args.pages.split(",")) if args.pages else None
    unknown = (names or set()) - {s.name for s in SCREENS}
    languages = [code for code in args.languages.split(",") if code]
    sizes = [size for size in args.sizes.split(",") if size]
    if unknown or set(languages) - set(LANGUAGES) or set(sizes) - set(VIEWPORTS):
        parser.error(f"unknown page, language or size: {sorted(unknown | (set(languages) - set(LANGUAGES)) | (set(sizes) - set(VIEWPORTS)))}")
    started = time.monotonic()
    count, skipped = take(args.out, names, languages, sizes)
    for name, reason in skipped.items():
        print(f"skipped {name}: {reason}")
    print(f"{count} screenshots in {args.out}/ ({time.monotonic() - started:.0f} s); open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
