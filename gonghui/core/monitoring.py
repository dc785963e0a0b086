"""Monitoring: ``/healthz`` (the process answers), ``/readyz`` (database, migrations, worker
heartbeat), a request id on every answer and every log line of its request, and structured
(JSON) log lines that carry no personal data: the request log names the method, the path
without its query string, the status, the time taken and the user's id — never a name, a
number typed in a form or a query.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
WORKER = "gonghui.worker.heartbeat"
WORKER_STALE = timedelta(minutes=2)
_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
log = logging.getLogger("gonghui.request")


def worker_beat() -> None:
    """The worker's sign of life (its scheduler calls this every loop)."""
    from .models import PeriodicRun

    PeriodicRun.objects.update_or_create(name=WORKER, defaults={"last_enqueued_at": timezone.now()})


def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


def _checks() -> dict[str, str]:
    from django.db.migrations.executor import MigrationExecutor

    from .models import PeriodicRun

    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure is "not ready"
        return {"database": "unreachable", "migrations": "unknown", "worker": "unknown"}
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    checks["migrations"] = "ok" if not plan else f"{len(plan)} pending"
    seen = PeriodicRun.objects.filter(name=WORKER).values_list("last_enqueued_at", flat=True)
    last = seen.first()
    checks["worker"] = (
        "ok" if last is not None and last > timezone.now() - WORKER_STALE else "no heartbeat"
    )
    return checks


def readyz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, every migration is applied and a worker beat within two
    minutes; else 503 naming what is not ready."""
    checks = _checks()
    ready = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "not ready", "checks": checks}, status=200 if ready else 503
    )


class RequestIdMiddleware:
    """``X-Request-ID`` in and out (a sane incoming one is kept: the proxy's), and one JSON
    log line per request at INFO (``GONGHUI_LOG_LEVEL=INFO`` shows them)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            if log.isEnabledFor(logging.INFO):
                user = getattr(request, "user", None)
                log.info(
                    "request",
                    extra={
                        "method": request.method,
                        "path": request.path,  # never the query string
                        "status": response.status_code,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                        "user_id": getattr(user, "pk", None),
                    },
                )
            return response
        finally:
            request_id.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


FIELDS = ("method", "path", "status", "ms", "user_id")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, request id, message and the request
    fields; the redaction filter has already masked numbers in the message."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        for name in FIELDS:
            if hasattr(record, name):
                out[name] = getattr(record, name)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)
