"""``gonghui demo``: migrate, load the Heze demo, print the demo accounts, serve the site.

``--data-dir`` must take effect before the settings are read, so ``gonghui.cli.main`` applies
it to ``GONGHUI_DATA_DIR``; here it is only checked.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.demo.loaders import demo_accounts, run_all


def _width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = (
        "迁移数据库、载入菏泽演示数据、创建演示账号并启动网站(Migrate, load the Heze demo, serve)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            default=None,
            help="数据目录（SQLite 数据库与密钥），默认 ./var；须在 gonghui 命令行上给出",
        )
        parser.add_argument("--no-serve", action="store_true", help="载入后退出，不启动网站")
        parser.add_argument(
            "--timings", action="store_true", help="逐个载入步骤列出所用 CPU 与墙钟秒数"
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = options["data_dir"]
        if data_dir and Path(data_dir).resolve() != Path(settings.DATA_DIR).resolve():
            raise CommandError(
                "--data-dir 须在 gonghui 命令行上给出(gonghui demo --data-dir DIR),"
                f"当前数据目录为 {settings.DATA_DIR}"
            )
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        run_all(self.stdout, timings=options["timings"])
        elapsed = time.monotonic() - started
        self._print_accounts()
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"数据目录：{settings.DATA_DIR}")
        self.stdout.write(f"准备完成，用时 {elapsed:.1f} 秒。网址：{url}")
        if options["no_serve"]:
            return
        if options["host"] not in ("127.0.0.1", "localhost", "::1") and not os.environ.get(
            "GONGHUI_ALLOWED_HOSTS"
        ):
            self.stdout.write("提示：从其他机器访问时，请把本机地址写入 GONGHUI_ALLOWED_HOSTS。")
        self._serve(options["host"], options["port"])

    def _print_accounts(self) -> None:
        rows = demo_accounts()
        header = {"username": "用户名", "role": "角色", "org": "所属组织", "password": "密码"}
        cols = list(header)
        widths = {c: max(_width(str(r[c])) for r in [header, *rows]) for c in cols}
        self.stdout.write("")
        self.stdout.write("演示账号：")
        for row in [header, *rows]:
            self.stdout.write("  ".join(_pad(str(row[c]), widths[c]) for c in cols).rstrip())
        self.stdout.write("")

    def _serve(self, host: str, port: int) -> None:
        """runserver in this process, ``gonghui worker`` beside it; the worker stops with it."""
        env = {**os.environ, "GONGHUI_DATA_DIR": str(settings.DATA_DIR)}
        env.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "gonghui", "worker"], env=env
        )

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, stop)
        try:
            addr = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            call_command("runserver", addr, use_reloader=False)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
