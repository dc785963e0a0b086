"""Errors that services raise and both the API and the pages turn into answers.

- ``NotFound``: missing *or* outside the user's scope, the same answer for both (404).
- ``InvalidInput``: bad input, with ``errors=[{"field", "message"}]`` (422 in the API).
- ``Conflict``: a rule of state forbids it (409): an illegal transition, a duplicate.
- ``Forbidden``: in scope, but the role may not do this (403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class ServiceError(Exception):
    status = 400
    title = "Bad Request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(ServiceError):
    status = 404
    title = "Not Found"

    def __init__(self, detail: str = "", **extra: Any) -> None:
        from django.utils.translation import gettext

        super().__init__(detail or gettext("未找到"), **extra)


class Forbidden(ServiceError):
    status = 403
    title = "Forbidden"


class Conflict(ServiceError):
    status = 409
    title = "Conflict"


class InvalidInput(ServiceError):
    status = 422
    title = "Invalid input"

    def __init__(self, errors: list[dict[str, str]], detail: str = "") -> None:
        self.errors = errors
        super().__init__(detail or "; ".join(f"{e['field']}: {e['message']}" for e in errors))

    @classmethod
    def one(cls, field: str, message: str) -> InvalidInput:
        return cls([{"field": field, "message": message}])

    @classmethod
    def from_validation_error(cls, exc: ValidationError, default_field: str = "") -> InvalidInput:
        errors: list[dict[str, str]] = []
        if hasattr(exc, "error_dict"):
            for name, errs in exc.error_dict.items():
                for err in errs:
                    errors.extend(
                        {"field": name if name != "__all__" else default_field, "message": m}
                        for m in err.messages
                    )
        else:
            errors = [{"field": default_field, "message": m} for m in exc.messages]
        return cls(errors)
