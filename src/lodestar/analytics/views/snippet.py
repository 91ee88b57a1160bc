"""The capture snippet, served at /capture.js for other sites' pages (docs/measure-snippet.md).

One unversioned URL, so the tag sites paste never changes: browsers keep it an hour and then
revalidate with the ETag, so a new Lodestar version reaches every site within the hour.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers

from lodestar.core import errors
from lodestar.core.access import public
from lodestar.core.middleware import error_response

SCRIPT = Path(__file__).resolve().parent.parent / "static" / "analytics" / "capture.js"
MAX_AGE = 3600


@cache
def _script() -> tuple[bytes, bytes, str]:
    """The script, gzipped once (a third of the bytes), and its ETag."""
    body = SCRIPT.read_bytes()
    return body, gzip.compress(body, 9, mtime=0), '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@public
def script(request: HttpRequest) -> HttpResponse:
    """The snippet itself; public, cacheable, loadable from any origin."""
    if request.method not in ("GET", "HEAD"):
        return error_response(request, errors.MethodNotAllowed("GET the script."))
    body, zipped, etag = _script()
    response: HttpResponse
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(zipped, content_type="text/javascript; charset=utf-8")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    # Loadable from any origin, also by pages that require CORP (COEP: require-corp).
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Access-Control-Allow-Origin"] = "*"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response
