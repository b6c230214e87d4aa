"""Production that starts: collectstatic and ``check --deploy`` pass with the production settings.

Found: ``collectstatic`` failed (the vendored ``bootstrap.bundle.min.js`` names a source map that is
not shipped) and ``check --deploy`` warned W004 (no HSTS) and W008 (no HTTPS redirect).
The same two commands run in ``make deploy-check`` (a prerequisite of ``make test``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
SOURCE_MAP = re.compile(rb"[#@]\s*sourceMappingURL\s*=\s*([^\s*]+)")


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production process, with dummy secrets (as in ``make deploy-check``)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SECURE_", "CSP_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="deploy-check-" + "x" * 50,
        ALLOWED_HOSTS="metodist.example.org",
        DATABASE_URL="postgres://metodist@127.0.0.1:5432/metodist",
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )


def test_no_static_file_names_a_source_map_that_is_not_shipped():
    missing = []
    for directory in settings.STATICFILES_DIRS:
        for path in Path(directory).rglob("*"):
            if path.suffix not in {".js", ".css"}:
                continue
            for match in SOURCE_MAP.finditer(path.read_bytes()):
                target = match.group(1).decode()
                if not target.startswith("data:") and not (path.parent / target).exists():
                    missing.append(f"{path.relative_to(BASE_DIR)} → {target}")
    assert not missing, missing


def test_check_deploy_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_collectstatic_works_with_production_settings(tmp_path):
    result = manage("collectstatic", "--noinput", env=production_env(STATIC_ROOT=str(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert "vendor/bootstrap/bootstrap.bundle.min.js" in manifest
    assert "js/metodist.js" in manifest


PRINT_SETTINGS = (
    "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k, None) for k in ["
    "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SECURE_SSL_REDIRECT', "
    "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'TRUSTED_PROXIES', 'STATIC_ROOT']}, default=str))"
)


def production_settings(**extra: str) -> dict:
    result = manage("shell", "-c", PRINT_SETTINGS, env=production_env(**extra))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_security_defaults_and_their_environment_overrides():
    defaults = production_settings()
    assert defaults["SECURE_SSL_REDIRECT"] is True
    assert defaults["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert defaults["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert defaults["SESSION_COOKIE_SECURE"] is True and defaults["CSRF_COOKIE_SECURE"] is True
    assert defaults["TRUSTED_PROXIES"] == []
    changed = production_settings(
        SECURE_HSTS_SECONDS="3600", SECURE_SSL_REDIRECT="0", TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8"
    )
    assert (changed["SECURE_HSTS_SECONDS"], changed["SECURE_SSL_REDIRECT"]) == (3600, False)
    assert changed["TRUSTED_PROXIES"] == ["127.0.0.1", "10.0.0.0/8"]


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("name", ["gunicorn"])
def test_the_production_server_is_a_pinned_dependency(name):
    base_in = (BASE_DIR / "requirements" / "base.in").read_text()
    lock = (BASE_DIR / "requirements" / "base.lock").read_text()
    assert re.search(rf"^{name}\b", base_in, re.MULTILINE)
    assert re.search(rf"^{name}==\S+ \\", lock, re.MULTILINE)


def test_gunicorn_loads_its_config_and_the_application():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [str(gunicorn), "--check-config", "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=BASE_DIR,
        env=production_env(GUNICORN_WORKERS="2"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
