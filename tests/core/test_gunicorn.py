"""The production command: gunicorn with gunicorn.conf.py, as the README runs it (issue 7, item 9)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GOOD_SECRET = "k3N9-vQ2xL7pR4tY8wZ1aB5cD6eF0gH2jM4nP7sU"
GUNICORN = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")

pytestmark = pytest.mark.skipif(GUNICORN is None, reason="gunicorn is not installed (pip install -r requirements.txt)")


def _env(tmp_path, **extra) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in {"SECRET_KEY", "DEBUG", "FLASK_DEBUG", "APP_ENV", "DATABASE_URL", "REDIS_URL", "BASE_URL",
                          "TRUST_PROXY_HOPS", "TRUST_FORWARDED_HOST", "TRUSTED_HOSTS", "PORT", "MAIL_SERVER"}}
    env.update(APP_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path}/gunicorn.sqlite3", **extra)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _gunicorn(port: int) -> list[str]:
    return [GUNICORN, "-c", "gunicorn.conf.py", "--workers", "2", "--bind", f"127.0.0.1:{port}", "app:app"]


def _run_bounded(tmp_path, **env) -> tuple[int, str]:
    """Run gunicorn until it exits (at most 20 s; then it and its workers are killed)."""
    process = subprocess.Popen(_gunicorn(_free_port()), cwd=REPO, env=_env(tmp_path, **env), text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _out, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:  # the old behaviour: workers respawned until killed
        os.killpg(process.pid, signal.SIGKILL)
        _out, err = process.communicate()
        pytest.fail(f"gunicorn kept running with a refused configuration: {err[-2000:]}")
    return process.returncode, err


def test_weak_secret_is_refused_by_the_master_with_exit_code_2(tmp_path):
    returncode, stderr = _run_bounded(tmp_path, SECRET_KEY="password" * 8)
    assert returncode == 2
    assert ("error: Refusing to start in production: SECRET_KEY is too weak (use at least 32 random characters)."
            in stderr)
    assert "Booting worker" not in stderr
    assert "Traceback" not in stderr


def test_missing_secret_is_refused_by_the_master_too(tmp_path):
    returncode, stderr = _run_bounded(tmp_path)
    assert returncode == 2
    assert "error: Refusing to start in production: SECRET_KEY must be set in the environment" in stderr
    assert "Booting worker" not in stderr


def test_served_responses_name_no_server_version(tmp_path):
    port = _free_port()
    server = subprocess.Popen(_gunicorn(port), cwd=REPO, env=_env(tmp_path, SECRET_KEY=GOOD_SECRET),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    headers = response.headers
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert headers.get_all("Server") == ["gunicorn"]  # the name only, no version
        assert not any("python" in value.lower() for _name, value in headers.items())
        assert "Strict-Transport-Security" not in headers  # BASE_URL is http:// here
    finally:
        server.terminate()  # the master stops its workers
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
