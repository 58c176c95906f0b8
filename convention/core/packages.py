"""Files shipped inside installed packages (the fonts of receipts and badges)."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def package_dir(name: str) -> Path:
    """Where an installed package lives, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"The font package {name!r} is missing: run pip install -r requirements.txt.")
    return Path(next(iter(spec.submodule_search_locations)))
