from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .audit import request_ip


class AuditContextMiddleware:
    """Makes the client address available to audit rows written during the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_ip.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            request_ip.reset(token)


class UploadSizeMiddleware:
    """Refuses a request body larger than the upload limit before Django reads it (413), so
    an oversize upload is never spooled to disk; the message is the upload guard's."""

    SLACK = 256 * 1024  # the form's other fields and the multipart framing

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.UPLOAD_MAX_BYTES + self.SLACK:
            return self.refuse(request, settings.UPLOAD_MAX_BYTES)
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, limit: int) -> HttpResponse:
        import json

        from .uploads import too_many_bytes

        message = too_many_bytes(limit).detail
        if request.path.startswith("/api/"):
            body = {
                "type": "about:blank",
                "title": "Payload Too Large",
                "status": 413,
                "detail": message,
                "errors": [{"field": "file", "message": message}],
            }
            return HttpResponse(
                json.dumps(body, ensure_ascii=False),
                status=413,
                content_type="application/problem+json",
            )
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
