"""Workers stay lean: what only a few requests use is imported when first needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LAZY = ("fpdf", "stripe", "PIL", "pypdf", "alembic", "flask_migrate", "ortools", "numpy", "icalendar",
        # redis imports the tiny top package of cryptography; its primitives load on first use
        "cryptography.hazmat")


def test_creating_the_app_imports_no_pdf_stripe_image_or_migration_library():
    code = (
        "import sys\n"
        "from convention import create_app\n"
        "create_app()\n"
        f"print(','.join(name for name in {LAZY!r} if name in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.strip().splitlines()[-1:] in ([], [""]), done.stdout


def test_the_webhook_tolerance_is_stripes_own():
    import stripe

    from convention.payments.stripe_gateway import WEBHOOK_TOLERANCE_SECONDS

    assert WEBHOOK_TOLERANCE_SECONDS == stripe.Webhook.DEFAULT_TOLERANCE
