"""The in-app widget's server side: find the product by its public write key, check the page's
origin against the product's allowed origins, rate-limit, and add the feedback.

The write key is public (it is in the page's HTML), so it proves nothing about the sender; the
origin check keeps other sites' pages from posting with it through visitors' browsers, the rate
limits bound what a script can do with it, and the honeypot catches form-filling bots.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.db import transaction

from lodestar.core.errors import Invalid, NotAuthenticated, TooLarge
from lodestar.core.ratelimit import consume_all
from lodestar.feedback.intake import limits
from lodestar.feedback.intake.authors import clean_email, person_for
from lodestar.feedback.models import MAX_TEXT, Feedback, Source
from lodestar.feedback.services import feedback_create
from lodestar.workspaces.models import Product

MAX_BODY_BYTES = 64 * 1024
MAX_URL = 500
HONEYPOT = "website"  # a field people never see; bots fill in every field


def allowed_origins(product: Product) -> set[str]:
    """The product's allowed origins (stored normalized, one per line)."""
    return {line.strip().lower() for line in product.allowed_origins.splitlines() if line.strip()}


def origin_allowed(product: Product, origin: str) -> bool:
    return bool(origin) and origin.lower() in allowed_origins(product)


def origin_known(origin: str) -> bool:
    """Whether any product allows this origin: enough to answer a CORS preflight, which
    carries no body and so no write key (the POST itself is checked per product)."""
    origin = (origin or "").strip().lower()
    if not origin or origin == "null" or "\n" in origin:
        return False
    candidates = Product.objects.filter(allowed_origins__icontains=origin)
    return any(origin in allowed_origins(p) for p in candidates.only("allowed_origins")[:50])


def product_for_key(key: Any) -> Product:
    key = key if isinstance(key, str) else ""
    product = (
        Product.objects.select_related("workspace").filter(write_key=key[:40]).first()
        if key.startswith("lw_")
        else None
    )
    if product is None:
        raise NotAuthenticated(
            "Unknown write key. Copy the embed snippet from the product's page in Lodestar."
        )
    return product


def check_rate(*, product: Product, ip: str) -> None:
    """Count this post against the visitor's IP and the product's key (429 with retry_after)."""
    consume_all(
        [(limits.WIDGET_PER_IP, ip), (limits.WIDGET_PER_KEY, product.write_key)],
        "Too much feedback at once. Try again in {minutes} minute(s); your text is still "
        "in the form.",
    )


def _string(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(fields={name: ["Send a string."]})
    return value.strip()


def _page(raw: str) -> str:
    """The page the feedback was sent from, without query and fragment (they may hold
    tokens or personal data); '' when it is not an http(s) URL."""
    try:
        parts = urlsplit(raw)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))[:MAX_URL]


@dataclass(frozen=True)
class WidgetResult:
    feedback: Feedback | None  # None: the honeypot was filled, nothing was stored


def widget_submit(*, product: Product, data: dict[str, Any]) -> WidgetResult:
    """Add one widget post as feedback (source widget) to the product's workspace.

    `data`: text (required), email and name of the signed-in user (optional), url of the page,
    and the honeypot field. Invalid / TooLarge name the field at fault."""
    if _string(data, HONEYPOT):
        return WidgetResult(None)  # a bot: look like success, keep nothing
    text = _string(data, "text")
    if not text:
        raise Invalid(fields={"text": ["Write your feedback first."]})
    if len(text) > MAX_TEXT:
        raise TooLarge(
            f"Your feedback is {len(text):,} characters; the limit is {MAX_TEXT:,}.",
            fields={"text": [f"Use at most {MAX_TEXT:,} characters."]},
        )
    raw_email = _string(data, "email")
    email = clean_email(raw_email) if raw_email else ""
    name = _string(data, "name")[:200]
    page = _page(_string(data, "url")[:2000])
    if page and len(text) + len(page) + 8 <= MAX_TEXT:
        text = f"{text}\n\nPage: {page}"
    with transaction.atomic():
        if email:
            person_for(workspace=product.workspace, email=email, name=name)
        feedback = feedback_create(
            workspace=product.workspace,
            actor=None,
            text=text,
            source=Source.WIDGET,
            person_email=email,
            product_key=product.key,
        )
    return WidgetResult(feedback)
