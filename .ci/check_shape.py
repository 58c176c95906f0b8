"""The house shape of convention/, checked by CI next to import-linter's layers.

Rules (convention/README.md explains why):
  1. no file under convention/ is longer than MAX_LINES lines;
  2. no view module commits or rolls back: core/views.py (run_form, run_button, ...) is
     the one place a request's transaction ends;
  3. no domain imports another domain's view modules;
  4. service modules (services*, states, models, inventory, ...) import no request-side
     name from flask: they take arguments and raise domain errors, the views speak HTTP.

Usage: python .ci/check_shape.py [ROOT]   (ROOT defaults to the repository)
Prints one line per breach and exits 1 when there is any.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

MAX_LINES = 400
PACKAGE = "convention"
# Modules allowed to end a transaction: the view helpers, and command-line or job code.
COMMIT_ALLOWED = {"core/views.py"}
REQUEST_SIDE_FLASK_NAMES = {
    "request", "session", "g", "flash", "abort", "redirect", "url_for",
    "make_response", "render_template", "jsonify", "send_file",
}
# Modules that speak HTTP (or build the page's furniture) and may use those names.
HTTP_MODULE_PREFIXES = ("loaders", "forms", "navigation", "templating", "errors", "cli", "demo", "permissions")
# core holds the HTTP plumbing every domain shares (the guard decorator, the view helpers).
SHARED_PACKAGES = {"core"}
# A line that must break a rule says why after this marker (e.g. /healthz rolls back
# the failed read it made itself).
ALLOW_PRAGMA = "# shape: allowed"


@dataclass(frozen=True)
class Breach:
    path: str
    line: int
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}"


def _is_view_module(relative: Path) -> bool:
    return "views" in relative.stem or "views" in relative.parts[:-1]


def _is_http_module(relative: Path) -> bool:
    return _is_view_module(relative) or relative.stem.startswith(HTTP_MODULE_PREFIXES)


def _domain_of(relative: Path) -> str | None:
    return relative.parts[0] if len(relative.parts) > 1 else None


def _imported_modules(tree: ast.AST, module_name: str):
    """(line, absolute module name, imported names) for every import in the tree."""
    package = module_name.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            names = [alias.name for alias in node.names]
            yield node.lineno, base, names
            for name in names:  # `from convention.cfp import views`
                yield node.lineno, f"{base}.{name}", []


def _view_module_domain(module: str) -> str | None:
    parts = module.split(".")
    if (len(parts) >= 3 and parts[0] == PACKAGE and parts[1] not in SHARED_PACKAGES
            and any("views" in p for p in parts[2:])):
        return parts[1]
    return None


def check_file(path: Path, package_root: Path) -> list[Breach]:
    relative = path.relative_to(package_root)
    shown = f"{PACKAGE}/{relative.as_posix()}"
    source = path.read_text(encoding="utf-8")
    breaches = []
    line_count = source.count("\n") + (0 if source.endswith("\n") or not source else 1)
    if line_count > MAX_LINES:
        breaches.append(Breach(shown, line_count, f"{line_count} lines, more than {MAX_LINES}: split it by concept"))
    tree = ast.parse(source, filename=str(path))
    lines = source.splitlines()
    if _is_view_module(relative) and relative.as_posix() not in COMMIT_ALLOWED:
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"commit", "rollback"}
                    and ALLOW_PRAGMA not in lines[node.lineno - 1]):
                breaches.append(Breach(shown, node.lineno, f"a view calls {node.func.attr}(): use core.views helpers"))
    module_name = ".".join((PACKAGE, *relative.with_suffix("").parts)).removesuffix(".__init__")
    domain = _domain_of(relative)
    reported_lines = set()
    for line, module, names in _imported_modules(tree, module_name):
        target = _view_module_domain(module)
        if domain and target and target != domain and line not in reported_lines:
            reported_lines.add(line)
            breaches.append(Breach(shown, line, f"imports {module}, another domain's views"))
        if module == "flask" and domain not in (None, *SHARED_PACKAGES) and not _is_http_module(relative):
            for name in sorted(REQUEST_SIDE_FLASK_NAMES.intersection(names)):
                breaches.append(Breach(shown, line, f"a service module imports flask.{name}: raise a domain error"))
    return breaches


def check_tree(root: Path) -> list[Breach]:
    package_root = root / PACKAGE
    breaches = []
    for path in sorted(package_root.rglob("*.py")):
        breaches.extend(check_file(path, package_root))
    return breaches


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1]
    breaches = check_tree(root)
    for breach in breaches:
        print(breach)
    print(f"shape: {len(breaches)} breach(es) in {root / PACKAGE}")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
