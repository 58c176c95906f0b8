"""Entry point for ``flask --app app ...`` and WSGI servers (``gunicorn app:app``)."""

import sys

from convention import create_app
from convention.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    print(f"error: {error}", file=sys.stderr)
    sys.exit(2)
