"""One backup = one ``.tar.gz``: ``manifest.json``, the database copy and ``uploads/``.

The manifest names the backend, the schema revision, the rows per table (counted in the
same snapshot as the copy) and every uploaded file with its size and SHA-256. A restore
refuses a target that is not empty (unless forced), puts the database and the files back,
then counts and hashes again and refuses to call it done unless everything is there.
The database is copied before the files: a file uploaded meanwhile is at worst an extra,
never a row pointing at a missing file.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from convention.backup import databases
from convention.backup.databases import BackupError

FORMAT = "convention-backup"
VERSION = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


@dataclass(frozen=True)
class Result:
    archive: Path
    manifest: dict

    def summary(self) -> str:
        rows = sum(self.manifest["tables"].values())
        return (
            f"{self.archive}: {self.manifest['backend']} database, {len(self.manifest['tables'])} tables, "
            f"{rows} rows, {len(self.manifest['files'])} uploaded files."
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _upload_files(folder: Path) -> dict[str, dict]:
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): {"size": path.stat().st_size, "sha256": _sha256(path)}
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def archive_path(out: str | Path, now: datetime) -> Path:
    """``out`` itself when it names a ``.tar.gz`` file, else a dated file in the folder ``out``."""
    out = Path(out)
    if out.is_dir() or not out.name.endswith((".tar.gz", ".tgz")):
        out.mkdir(parents=True, exist_ok=True)
        return out / f"convention-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def create_backup(
    out: str | Path,
    *,
    database_url: str,
    upload_folder: str | Path,
    revision: str | None = None,
    now: datetime | None = None,
) -> Result:
    now = now or datetime.now(UTC)
    backend = databases.backend_of(database_url)
    target = archive_path(out, now)
    uploads = Path(upload_folder)
    with tempfile.TemporaryDirectory(prefix="convention-backup-") as work:
        dump = Path(work) / DUMP_NAMES[backend]
        counts = (databases.dump_sqlite if backend == "sqlite" else databases.dump_postgres)(database_url, dump)
        files = _upload_files(uploads)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": now.isoformat(),
            "backend": backend,
            "revision": revision,
            "database": DUMP_NAMES[backend],
            "tables": counts,
            "files": files,
        }
        partial = target.with_name(target.name + ".part")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=DUMP_NAMES[backend], recursive=False)
            for name in files:
                tar.add(uploads / name, arcname=f"{UPLOADS}/{name}", recursive=False)
        partial.chmod(0o600)  # a backup holds every attendee's data
        partial.replace(target)  # never a half-written archive under the final name
    return Result(target, manifest)


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(tar.extractfile(MANIFEST))
    except (KeyError, AttributeError, ValueError) as error:
        raise BackupError("This is not a convention backup (no readable manifest.json).") from error
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r} version {manifest.get('version')!r}.")
    return manifest


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def restore_backup(archive: str | Path, *, database_url: str, upload_folder: str | Path, force: bool = False) -> Result:
    archive = Path(archive)
    uploads = Path(upload_folder)
    backend = databases.backend_of(database_url)
    with tarfile.open(archive, "r:gz") as tar:
        manifest = read_manifest(tar)
        if manifest["backend"] != backend:
            raise BackupError(f"This backup holds a {manifest['backend']} database; the target is {backend}.")
        if uploads.is_dir() and any(uploads.iterdir()) and not force:
            raise BackupError(f"The upload folder {uploads} is not empty: restore into an empty one (or use --force).")
        members = [m for m in tar.getmembers() if _safe_member(m.name)]
        with tempfile.TemporaryDirectory(prefix="convention-restore-") as work:
            dump = [m for m in members if m.name == manifest["database"] and m.isfile()]
            if not dump:
                raise BackupError("The backup holds no database copy.")
            tar.extract(dump[0], work, filter="data")
            restore = databases.restore_sqlite if backend == "sqlite" else databases.restore_postgres
            restore(Path(work) / manifest["database"], database_url, force=force)
        files = [m for m in members if m.isfile() and m.name.startswith(UPLOADS + "/")]
        uploads.mkdir(parents=True, exist_ok=True)
        for member in files:
            member.name = member.name[len(UPLOADS) + 1 :]
            tar.extract(member, uploads, filter="data")
    verify(manifest, database_url=database_url, upload_folder=uploads)
    return Result(archive, manifest)


def verify(manifest: dict, *, database_url: str, upload_folder: Path) -> None:
    """Every table holds as many rows as the manifest says, every file is there unchanged."""
    counts = databases.current_counts(database_url)
    wrong = {
        name: (expected, counts.get(name))
        for name, expected in manifest["tables"].items()
        if counts.get(name) != expected
    }
    if wrong:
        raise BackupError(
            "Restored, but rows differ (table: expected, found): "
            + ", ".join(f"{name}: {e}, {f}" for name, (e, f) in sorted(wrong.items()))
        )
    for name, expected in manifest["files"].items():
        path = upload_folder / name
        if not path.is_file() or _sha256(path) != expected["sha256"]:
            raise BackupError(f"Restored, but the uploaded file {name} is missing or changed.")
