"""The one exception hierarchy. Services raise these; ErrorMiddleware (HTML) and the API's
exception handlers (JSON) map each to a status code and the one error shape:

    {"error": {"code": "not_found", "message": "...", "fields": {"name": ["..."]}}}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class LodestarError(Exception):
    status = 400
    code = "error"
    default_message = "The request could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: Mapping[str, Sequence[str] | str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.fields: dict[str, list[str]] = {
            name: [errors] if isinstance(errors, str) else list(errors)
            for name, errors in (fields or {}).items()
        }
        super().__init__(self.message)

    def as_dict(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class Invalid(LodestarError):
    status = 400
    code = "invalid"
    default_message = "Some fields are invalid."


class NotAuthenticated(LodestarError):
    status = 401
    code = "not_authenticated"
    default_message = "Sign in or send a valid API token."


class PermissionDenied(LodestarError):
    status = 403
    code = "permission_denied"
    default_message = "Your role in this workspace does not allow this."


class NotFound(LodestarError):
    status = 404
    code = "not_found"
    default_message = "Not found."


class MethodNotAllowed(LodestarError):
    status = 405
    code = "method_not_allowed"
    default_message = "This method is not allowed here."


class Conflict(LodestarError):
    status = 409
    code = "conflict"
    default_message = "This conflicts with the current state."


class TooLarge(LodestarError):
    status = 413
    code = "too_large"
    default_message = "The request body is too large."


class UnsupportedMediaType(LodestarError):
    status = 415
    code = "unsupported_media_type"
    default_message = "Send the request body as JSON, with Content-Type: application/json."


class RateLimited(LodestarError):
    status = 429
    code = "rate_limited"
    default_message = "Too many attempts. Wait a few minutes and try again."

    def __init__(self, message: str | None = None, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds, for the Retry-After header when known


def error_body(code: str, message: str, fields: Mapping[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": dict(fields or {})}}
