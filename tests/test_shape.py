"""The house-shape checker (.ci/check_shape.py): each rule fires on a small synthetic
tree, and the real convention/ package keeps every rule."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_checker():
    spec = importlib.util.spec_from_file_location("check_shape", ROOT / ".ci" / "check_shape.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


check_shape = _load_checker()


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "convention" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def _rules(tmp_path, files):
    return [(b.path, b.line, b.rule.split(":")[0]) for b in check_shape.check_tree(_tree(tmp_path, files))]


def test_shape_view_commit_is_a_breach(tmp_path):
    found = _rules(tmp_path, {"cfp/views.py": "from x import db\n\ndef v():\n    db.session.commit()\n"})
    assert found == [("convention/cfp/views.py", 4, "a view calls commit()")]


def test_shape_view_rollback_with_pragma_is_allowed(tmp_path):
    text = "def v(db):\n    db.session.rollback()  # shape: allowed, its own probe\n"
    assert _rules(tmp_path, {"site/views.py": text}) == []


def test_shape_core_view_helpers_may_commit(tmp_path):
    assert _rules(tmp_path, {"core/views.py": "def run(db):\n    db.session.commit()\n"}) == []


def test_shape_long_file_is_a_breach(tmp_path):
    found = _rules(tmp_path, {"cfp/services.py": "x = 1\n" * (check_shape.MAX_LINES + 1)})
    assert found == [("convention/cfp/services.py", 401, "401 lines, more than 400")]


def test_shape_file_at_the_limit_passes(tmp_path):
    assert _rules(tmp_path, {"cfp/services.py": "x = 1\n" * check_shape.MAX_LINES}) == []


@pytest.mark.parametrize("statement", [
    "from convention.registration.views_public import load_order",
    "from convention.registration import views_manage",
    "import convention.registration.views",
    "from ..registration.views import x",
])
def test_shape_importing_another_domains_views_is_a_breach(tmp_path, statement):
    found = _rules(tmp_path, {"payments/views.py": statement + "\n"})
    assert len(found) == 1
    assert found[0][:2] == ("convention/payments/views.py", 1)
    assert found[0][2].startswith("imports convention.registration.views")


def test_shape_own_views_and_core_helpers_may_be_imported(tmp_path):
    files = {"cfp/views_manage.py": "from convention.cfp.views import bp\nfrom convention.core.views import run_form\n"}
    assert _rules(tmp_path, files) == []


def test_shape_service_importing_request_side_flask_names_is_a_breach(tmp_path):
    found = _rules(tmp_path, {"cfp/services.py": "from flask import abort, current_app, url_for\n"})
    assert found == [
        ("convention/cfp/services.py", 1, "a service module imports flask.abort"),
        ("convention/cfp/services.py", 1, "a service module imports flask.url_for"),
    ]


def test_shape_views_and_loaders_may_use_request_side_flask_names(tmp_path):
    files = {"cfp/views.py": "from flask import request, url_for\n", "cfp/loaders.py": "from flask import abort\n"}
    assert _rules(tmp_path, files) == []


def test_shape_the_convention_package_keeps_every_rule():
    breaches = check_shape.check_tree(ROOT)
    assert [str(b) for b in breaches] == []
