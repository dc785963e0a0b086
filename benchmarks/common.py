"""What the benchmark scripts share on the parent side: a fresh database per run, each step
in its own process (so its peak memory is its own), the step's figures read back as JSON."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def pg_recreate(url: str) -> str:
    """Drop and create the PostgreSQL database named by ``url``; returns ``url``."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def child_env(
    label: str, work: Path, *, field_key: str, postgres: str, fresh: bool = True
) -> dict[str, str]:
    """The environment of one database's steps: benchmark-only keys, its own data dir, and a
    freshly created PostgreSQL database when ``label`` is ``postgresql`` (the one already
    there when not ``fresh``: a kept setup measured again)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    env.update(
        GONGHUI_FIELD_KEY=field_key,
        GONGHUI_SECRET_KEY="bench-" * 8,
        GONGHUI_DATA_DIR=str(work / label),
    )
    (work / label).mkdir(parents=True, exist_ok=True)
    if label == "postgresql":
        env["GONGHUI_DATABASE_URL"] = pg_recreate(postgres) if fresh else postgres
    return env


def run_step(script: str, step: str, env: dict[str, str], options: list[str]) -> dict[str, Any]:
    """Run ``script --child step *options`` and return the JSON its last line prints."""
    cmd = [sys.executable, script, "--child", step, *options]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"step {step} failed")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


Steps = dict[str, Callable[[argparse.Namespace], dict[str, Any]]]
Bench = Callable[[str, argparse.Namespace, Path], dict[str, Any]]


def run(args: argparse.Namespace, steps: Steps, bench: Bench, *, name: str) -> dict[str, Any]:
    """A benchmark script's ``main``: as a child (``--child STEP``), run that step and print its
    JSON; else run ``bench`` on SQLite and (unless ``--skip-postgres``) PostgreSQL in a
    temporary work folder, removed afterwards, and return the results by database (empty for
    a child). A script with a ``--keep DIR`` option works in DIR instead and leaves it, so
    that a long setup can be measured again later (on a quieter machine, say)."""
    if args.child:
        print(json.dumps(steps[args.child](args)))
        return {}
    keep = getattr(args, "keep", None)
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix=f"gonghui-{name}-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        results = {"sqlite": bench("sqlite", args, work)}
        if not args.skip_postgres:
            results["postgresql"] = bench("postgresql", args, work)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return results
