"""Settings come from the environment; keys are generated on first run; deploy checks pass."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    # the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment has not
    full_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GONGHUI_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    full_env.update(env)
    return subprocess.run(  # noqa: S603 - our own command with fixed arguments
        [sys.executable, "-m", "gonghui", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_keys_are_generated_into_the_data_dir_once(tmp_path: Path) -> None:
    result = run(["check"], GONGHUI_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    secret, field = tmp_path / "secret_key", tmp_path / "field_key"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert stat.S_IMODE(field.stat().st_mode) == 0o600
    before = secret.read_text(), field.read_text()
    assert run(["check"], GONGHUI_DATA_DIR=str(tmp_path)).returncode == 0
    assert (secret.read_text(), field.read_text()) == before


def test_deploy_check_passes_with_production_settings(tmp_path: Path) -> None:
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        GONGHUI_DATA_DIR=str(tmp_path),
        GONGHUI_DEBUG="0",
        GONGHUI_SECRET_KEY=secrets.token_urlsafe(64),
        GONGHUI_ALLOWED_HOSTS="gonghui.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_fails_on_a_debug_server(tmp_path: Path) -> None:
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        GONGHUI_DATA_DIR=str(tmp_path),
        GONGHUI_DEBUG="1",
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stdout + result.stderr


def test_bad_field_key_is_a_clear_error(tmp_path: Path) -> None:
    script = "from gonghui.core import crypto; crypto.encrypt('x')"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    env.update(
        GONGHUI_DATA_DIR=str(tmp_path),
        GONGHUI_FIELD_KEY="not-base64!",
        DJANGO_SETTINGS_MODULE="gonghui.settings",
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "GONGHUI_FIELD_KEY" in result.stderr
