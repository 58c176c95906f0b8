"""gunicorn settings, read by the master process (``gunicorn -c gunicorn.conf.py app:app``).

gunicorn also loads ``./gunicorn.conf.py`` by itself when started from this directory.
The master checks the configuration before it forks any worker: an unsafe production
setting stops the start with the message and exit code 2, instead of workers that
exit at import and are respawned again and again.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from convention.config import ConfigError, check_production_safety, load_config  # noqa: E402

# Flask's instance folder for the ``convention`` package (where create_app looks).
INSTANCE_PATH = Path(__file__).resolve().parent / "instance"


def on_starting(server) -> None:
    try:
        check_production_safety(load_config(str(INSTANCE_PATH)))
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        sys.exit(2)
