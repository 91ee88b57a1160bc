"""The HTTP API at /api/v1/: one NinjaAPI, token or session auth, the one error shape.

Handler modules must not use `from __future__ import annotations`: ninja resolves parameter
types from the wrapped function's globals, which access wrappers do not carry.
"""

import json
from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from lodestar.core import errors
from lodestar.core.access import public
from lodestar.workspaces.selectors import token_authenticate


class TokenAuth(HttpBearer):
    openapi_description = "A personal API token (`lds_...`), created in the UI or the CLI."

    def authenticate(self, request: HttpRequest, token: str):
        api_token = token_authenticate(token)
        if api_token is None:
            return None
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


def _is_json(content_type: str | None) -> bool:
    main = (content_type or "").lower()
    return main == "application/json" or (
        main.startswith("application/") and main.endswith("+json")
    )


NUL_MESSAGE = "Null characters are not allowed."


def _nul_at(value, where: str) -> str | None:
    """Where in a parsed JSON value a string holds a NUL character (PostgreSQL text cannot
    store one, and Django's form fields refuse it too), else None."""
    if isinstance(value, str):
        return where if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = key if where == "body" else f"{where}.{key}"
            if "\x00" in key:
                return where
            if found := _nul_at(item, name):
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if found := _nul_at(item, f"{where}.{index}" if where != "body" else str(index)):
                return found
    return None


class JsonParser(Parser):
    """Request bodies are JSON and say so: another content type gets 415, broken JSON or a
    NUL character 400. (Ninja wraps what this raises in a 400 HttpError; `_http_error`
    unwraps it.)"""

    def parse_body(self, request: HttpRequest):
        if not _is_json(request.content_type):
            got = request.content_type or "none"
            raise errors.UnsupportedMediaType(
                fields={"body": [f"Content-Type is {got}, not JSON."]}
            )
        try:
            data = json.loads(request.body)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
            raise errors.Invalid(
                "The request body is not valid JSON.", fields={"body": [str(exc)[:200]]}
            ) from None
        if where := _nul_at(data, "body"):
            raise errors.Invalid(fields={where: [NUL_MESSAGE]})
        return data


class CsrfSessionAuth(SessionAuth):
    """The browser session, CSRF-checked on unsafe methods. Only a signed-in session is
    checked: an anonymous request has nothing to forge and gets 401, not a CSRF 403."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError:
            raise errors.PermissionDenied(
                "CSRF check failed: send the csrftoken cookie's value in X-CSRFToken."
            ) from None


PUBLIC_URL_NAMES = frozenset({"api-root", "openapi-json", "openapi-view"})


class LodestarAPI(NinjaAPI):
    @property
    def urls(self):
        """Ninja builds fresh URL patterns (and view functions) on every access, so the
        patterns Django routes to are adjusted here, not after the fact."""
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if not isinstance(pattern, URLPattern):
                continue
            pattern.callback = _api_view(pattern.callback)
            # The docs page and schema are public: they describe the API, not its data.
            if pattern.name in PUBLIC_URL_NAMES:
                pattern.callback = public(pattern.callback)
        return patterns, app_name, namespace


api = LodestarAPI(
    title="Lodestar API",
    version="1",
    description="Every list returns {items, count, next}; pass `next` back as `cursor`. "
    'Errors are {"error": {"code", "message", "fields"}}.',
    urls_namespace="api",
    auth=[TokenAuth(), CsrfSessionAuth(csrf=True)],
    docs_url="/docs",
    parser=JsonParser(),
)


def _respond(request: HttpRequest, error: errors.LodestarError) -> HttpResponse:
    return api.create_response(request, error.as_dict(), status=error.status)


@api.exception_handler(errors.LodestarError)
def _lodestar_error(request: HttpRequest, exc: errors.LodestarError) -> HttpResponse:
    return _respond(request, exc)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "payload")]
        name = ".".join(location) or "body"
        fields.setdefault(name, []).append(str(item.get("msg", "Invalid value.")))
    return _respond(request, errors.Invalid("The request has invalid fields.", fields=fields))


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _respond(request, errors.NotAuthenticated())


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, errors.LodestarError):  # e.g. from JsonParser
        return _respond(request, exc.__cause__)
    mapped = {
        400: errors.Invalid,
        401: errors.NotAuthenticated,
        403: errors.PermissionDenied,
        404: errors.NotFound,
        405: errors.MethodNotAllowed,
        409: errors.Conflict,
        413: errors.TooLarge,
        429: errors.RateLimited,
    }.get(exc.status_code, errors.Invalid)
    return _respond(request, mapped(str(exc.message) if exc.status_code != 403 else None))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _respond(request, errors.NotFound())


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _respond(request, errors.TooLarge())


def _register_routers() -> None:
    from lodestar.customers.api import router as customers_router
    from lodestar.experiments.api import router as experiments_router
    from lodestar.feedback.api import router as feedback_router
    from lodestar.planning.api import router as planning_router
    from lodestar.planning.backlog_api import router as backlog_router
    from lodestar.planning.release_api import router as releases_router
    from lodestar.workspaces.api import router as workspaces_router

    api.add_router("/", workspaces_router)
    api.add_router("/", customers_router)
    api.add_router("/", feedback_router)
    api.add_router("/", planning_router)
    api.add_router("/", releases_router)
    api.add_router("/", backlog_router)
    api.add_router("/", experiments_router)


_register_routers()


def _api_view(view):
    """Ninja's plain-text 405, for a method no operation takes, gets the error shape, keeping
    the Allow header. (NUL characters never get this far: NullCharacterMiddleware.)"""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = _respond(request, errors.MethodNotAllowed())
            response["Allow"] = allowed
        return response

    return wrapped
