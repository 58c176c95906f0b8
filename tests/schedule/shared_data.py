"""The real schedules and official schemas in ``../shared/data/`` beside the checkout
(``CONVENTION_SHARED_DATA`` points elsewhere, e.g. from a git worktree). Tests that need
them skip with the reason when the folder is absent, so a clone elsewhere stays green."""

from __future__ import annotations

import io
import json
import os
from functools import lru_cache
from pathlib import Path

import pytest

DATA = Path(os.environ.get("CONVENTION_SHARED_DATA") or Path(__file__).resolve().parents[2] / ".." / "shared" / "data")
SKIP_REASON = f"the real schedules and schemas of ../shared/data are not here ({DATA})"


def data_file(relative: str) -> Path:
    path = DATA / relative
    if not path.is_file():
        pytest.skip(f"{SKIP_REASON}: {relative} missing")
    return path


@lru_cache(maxsize=1)
def _xml_schema(path: Path):
    import xmlschema

    return xmlschema.XMLSchema(str(path))


@lru_cache(maxsize=1)
def _json_validator(path: Path):
    import jsonschema

    schema = json.loads(path.read_text())
    return jsonschema.Draft6Validator(schema, format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER)


def xml_errors(body: bytes) -> list[str]:
    """Every way ``body`` breaks the official frab XSD (empty: valid)."""
    schema = _xml_schema(data_file("schema/schedule.xml.xsd"))
    return [str(error)[:300] for error in schema.iter_errors(io.BytesIO(body))]


def json_errors(document: dict) -> list[str]:
    """Every way ``document`` breaks the official C3VOC JSON schema (empty: valid)."""
    validator = _json_validator(data_file("schema/schedule.schema.json"))
    return [f"{list(error.absolute_path)}: {error.message}"[:300] for error in validator.iter_errors(document)]
