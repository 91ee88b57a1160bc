"""The ideas portal's visitor pages at /p/<workspace-slug>/: list, idea, submit, vote,
comment, and sign-in by emailed link.

Every page is `public`: the portal's own switch (on/off, public/private) decides. A visitor's
verified email is kept in their session per workspace; members of the workspace signed in to
Lodestar count as verified with their account's email.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from lodestar.core.access import public
from lodestar.core.errors import Conflict, Invalid, NotFound, RateLimited
from lodestar.core.forms import apply_errors
from lodestar.core.pagination import paginate
from lodestar.core.ratelimit import client_ip
from lodestar.feedback import portal_selectors as selectors
from lodestar.feedback import portal_services as services
from lodestar.feedback import portal_visitors as visitors
from lodestar.feedback.portal_forms import (
    CommentForm,
    IdeaFilterForm,
    IdeaForm,
    SignInForm,
    VoteForm,
)
from lodestar.feedback.portal_models import Idea, IdeaStatus, Portal
from lodestar.workspaces.selectors import membership_for

SESSION_KEY = "portal_visitor"
BOT_MESSAGE = (
    "This form looked automated, so nothing was sent. If you are a person, leave the "
    "“Leave this field empty” field empty and try again."
)


# -- the visitor ---------------------------------------------------------------------------


def _visitor(request: HttpRequest, portal: Portal) -> str:
    """The verified email of this visitor on this portal, or ""."""
    email = request.session.get(SESSION_KEY, {}).get(str(portal.workspace_id), "")
    if not email and request.user.is_authenticated:
        try:
            membership_for(user=request.user, slug=portal.workspace.slug)
        except NotFound:
            return ""
        return request.user.email.lower()
    return email


def _remember(request: HttpRequest, portal: Portal, email: str) -> None:
    emails = dict(request.session.get(SESSION_KEY, {}))
    emails[str(portal.workspace_id)] = email
    request.session.cycle_key()  # a new session id once the visitor proves who they are
    request.session[SESSION_KEY] = emails


def _open(request: HttpRequest, slug: str) -> tuple[Portal, str]:
    """The portal (NotFound when off) and the visitor's verified email. On a private portal
    only an email the workspace knows counts: it may have turned private since they signed in."""
    portal = selectors.portal_open(slug=slug)
    email = _visitor(request, portal)
    if email and not portal.public:
        email = email if visitors.email_known(workspace=portal.workspace, email=email) else ""
    return portal, email


def _gate(request: HttpRequest, portal: Portal, email: str) -> HttpResponse | None:
    """A private portal shows nothing to visitors who have not signed in."""
    if portal.public or email:
        return None
    return redirect("portal:sign_in", slug=portal.workspace.slug)


def _page(request, template: str, portal: Portal, email: str, context: dict, status=200):
    by_link = bool(request.session.get(SESSION_KEY, {}).get(str(portal.workspace_id)))
    context = {
        "portal": portal,
        "workspace": portal.workspace,
        "visitor": email,
        "by_link": by_link,  # else a member, signed in to Lodestar itself
        **context,
    }
    return render(request, f"feedback/portal/{template}", context, status=status)


def _idea_url(request: HttpRequest, idea: Idea) -> str:
    return reverse("portal:idea", args=[idea.workspace.slug, idea.key])


def _email_link(request, portal: Portal, email: str, action: str, key: str = "", title=""):
    """Email a sign-in link that also does `action` (see portal_visitors.link_token)."""
    token = visitors.link_token(workspace=portal.workspace, email=email, action=action, key=key)
    url = request.build_absolute_uri(reverse("portal:verify", args=[portal.workspace.slug, token]))
    visitors.link_send(workspace=portal.workspace, email=email, url=url, action=action, title=title)


def _count_link(request: HttpRequest, email: str) -> None:
    """Count one emailed link against the limits: RateLimited past them."""
    visitors.rate_limit("link", ip=client_ip(request), email=email)


def _visible_idea(portal: Portal, key: str) -> Idea:
    idea = selectors.idea_get(workspace=portal.workspace, key=key)
    if not idea.listed and idea.merged_into_id is None:
        raise NotFound("No such idea.")
    return idea


# -- pages ---------------------------------------------------------------------------------


@public
def home(request: HttpRequest, slug: str) -> HttpResponse:
    portal, email = _open(request, slug)
    if gate := _gate(request, portal, email):
        return gate
    filters = IdeaFilterForm(request.GET or None)
    chosen = filters.chosen()
    rows = selectors.idea_list(workspace=portal.workspace, status=chosen["status"], q=chosen["q"])
    page = paginate(
        rows,
        cursor=request.GET.get("cursor"),
        limit=30,
        order_by=selectors.SORTS[chosen["sort"]],
        newest_first=True,
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    return _page(
        request,
        "home.html",
        portal,
        email,
        {
            "page": page,
            "filters": filters,
            "counts": selectors.status_counts(workspace=portal.workspace),
            "statuses": IdeaStatus.choices,
            "voted": selectors.voted(email=email, ideas=page.items),
            "query": query.urlencode(),
            "filtered": bool(chosen["q"] or chosen["status"]),
        },
    )


def _idea_page(request, portal, email, idea, *, comment_form=None, vote_form=None, status=200):
    return _page(
        request,
        "idea.html",
        portal,
        email,
        {
            "idea": idea,
            "comments": selectors.comment_list(idea=idea),
            "comment_form": comment_form or CommentForm(verified_email=email),
            "vote_form": vote_form or VoteForm(verified_email=email),
            "has_voted": selectors.has_voted(email=email, idea=idea),
        },
        status=status,
    )


@public
def idea_page(request: HttpRequest, slug: str, idea_key: str) -> HttpResponse:
    """An idea with its comments; POST adds a comment."""
    portal, email = _open(request, slug)
    if gate := _gate(request, portal, email):
        return gate
    idea = _visible_idea(portal, idea_key)
    if idea.merged_into is not None:
        return redirect(_idea_url(request, idea.merged_into))
    form = CommentForm(request.POST or None, verified_email=email)
    if request.method != "POST":
        return _idea_page(request, portal, email, idea, comment_form=form)
    if form.is_bot:
        raise Invalid(BOT_MESSAGE)
    if not form.is_valid():
        return _idea_page(request, portal, email, idea, comment_form=form, status=400)
    author = form.email()
    try:
        visitors.rate_limit("comment", ip=client_ip(request), email=author)
        if not email:
            _count_link(request, author)
            comment = services.comment_add(
                idea=idea, body=form.cleaned_data["body"], email=author, confirmed=False
            )
            _email_link(request, portal, author, "comment", comment.key, idea.title)
            messages.info(
                request,
                f"Almost there: we sent a link to {author}. Your comment appears once you open it.",
            )
        else:
            services.comment_add(idea=idea, body=form.cleaned_data["body"], email=author)
            messages.success(request, "Your comment is posted.")
    except RateLimited as exc:
        form.add_error(None, exc.message)
        return _idea_page(request, portal, email, idea, comment_form=form, status=429)
    except Invalid as exc:
        apply_errors(form, exc)
        return _idea_page(request, portal, email, idea, comment_form=form, status=400)
    return redirect(_idea_url(request, idea) + "#comments")


@public
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    portal, email = _open(request, slug)
    if gate := _gate(request, portal, email):
        return gate
    form = IdeaForm(request.POST or None, verified_email=email)
    status = 200
    if request.method == "POST":
        if form.is_bot:
            raise Invalid(BOT_MESSAGE)
        status = 400
        if form.is_valid():
            author = form.email()
            try:
                visitors.rate_limit("idea", ip=client_ip(request), email=author)
                if not email:
                    _count_link(request, author)
                idea = services.idea_submit(
                    workspace=portal.workspace, email=author, confirmed=bool(email), **form.values()
                )
            except RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
            except Invalid as exc:
                apply_errors(form, exc)
            else:
                if email:
                    messages.success(request, "Thank you! Your idea is posted.")
                    return redirect(_idea_url(request, idea))
                _email_link(request, portal, author, "idea", idea.key, idea.title)
                messages.info(
                    request,
                    f"Almost there: we sent a link to {author}. Your idea appears once you "
                    "open it.",
                )
                return redirect("portal:home", slug=slug)
    return _page(request, "submit.html", portal, email, {"form": form}, status=status)


@public
@require_POST
def vote(request: HttpRequest, slug: str, idea_key: str) -> HttpResponse:
    portal, email = _open(request, slug)
    if gate := _gate(request, portal, email):
        return gate
    idea = _visible_idea(portal, idea_key)
    idea = idea.merged_into or idea
    form = VoteForm(request.POST, verified_email=email)
    if form.is_bot:
        raise Invalid(BOT_MESSAGE)
    if not form.is_valid():
        return _idea_page(request, portal, email, idea, vote_form=form, status=400)
    voter = form.email()
    try:
        if not email:
            # Not verified: the vote waits in the emailed link, counted once it is opened.
            _count_link(request, voter)
            _email_link(request, portal, voter, "vote", idea.key, idea.title)
            messages.info(
                request,
                f"Please confirm your email first: we sent you a link at {voter}. Your vote "
                "counts once you open it.",
            )
            return redirect(_idea_url(request, idea))
        visitors.rate_limit("vote", ip=client_ip(request), email=voter)
        services.vote_cast(idea=idea, email=voter)
    except RateLimited as exc:
        form.add_error(None, exc.message)
        return _idea_page(request, portal, email, idea, vote_form=form, status=429)
    except Conflict:
        form.add_error(None, "You have already voted for this idea: one vote per person.")
        return _idea_page(request, portal, email, idea, vote_form=form, status=409)
    messages.success(request, f"Your vote for “{idea.title}” is counted.")
    back = request.POST.get("back", "")
    if back == "list":
        return redirect("portal:home", slug=slug)
    return redirect(_idea_url(request, idea))


@public
def sign_in(request: HttpRequest, slug: str) -> HttpResponse:
    portal, email = _open(request, slug)
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_bot:
            raise Invalid(BOT_MESSAGE)
        status = 400
        if form.is_valid():
            address = form.email()
            try:
                if portal.public or visitors.email_known(workspace=portal.workspace, email=address):
                    _count_link(request, address)
                    _email_link(request, portal, address, "signin")
                else:  # the same counting and answer, so the page tells nobody who is known
                    _count_link(request, address)
            except RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
            else:
                messages.info(
                    request,
                    f"We sent a sign-in link to {address}. It works for a day."
                    if portal.public
                    else f"If {address} may use this portal, we sent a sign-in link to it. "
                    "It works for a day.",
                )
                return redirect("portal:sign_in", slug=slug)
    return _page(request, "sign_in.html", portal, email, {"form": form}, status=status)


@public
def verify(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The emailed link: sign the visitor in, then do what the link was for."""
    portal = selectors.portal_open(slug=slug)
    try:
        link = visitors.link_read(workspace=portal.workspace, token=token)
        if not portal.public and not visitors.email_known(
            workspace=portal.workspace, email=link.email
        ):
            raise Invalid("This email may not use this portal.")
    except Invalid as exc:
        context = {"form": SignInForm(), "link_error": exc.message}
        return _page(request, "sign_in.html", portal, "", context, status=400)
    _remember(request, portal, link.email)
    return _follow(request, portal, link)


def _follow(request: HttpRequest, portal: Portal, link: visitors.Link) -> HttpResponse:
    workspace = portal.workspace
    try:
        if link.action == "idea":
            idea = selectors.idea_get(workspace=workspace, key=link.key)
            if services.idea_confirm(idea=idea, email=link.email) and idea.listed:
                messages.success(request, "Thank you! Your idea is posted.")
                return redirect(_idea_url(request, idea))
        elif link.action == "comment":
            comment = selectors.comment_get(workspace=workspace, key=link.key)
            if services.comment_confirm(comment=comment, email=link.email):
                messages.success(request, "Your comment is posted.")
                return redirect(_idea_url(request, comment.idea) + "#comments")
        elif link.action == "vote":
            idea = _visible_idea(portal, link.key)
            idea = idea.merged_into or idea
            try:
                services.vote_cast(idea=idea, email=link.email)
                messages.success(request, f"Your vote for “{idea.title}” is counted.")
            except Conflict:
                messages.info(request, "You had already voted for this idea.")
            return redirect(_idea_url(request, idea))
    except NotFound:
        messages.info(request, "What this link was for is no longer here.")
    messages.success(request, f"You are signed in as {link.email}.")
    return redirect("portal:home", slug=workspace.slug)


@public
@require_POST
def sign_out(request: HttpRequest, slug: str) -> HttpResponse:
    portal = selectors.portal_open(slug=slug)
    emails = dict(request.session.get(SESSION_KEY, {}))
    if emails.pop(str(portal.workspace_id), None):
        request.session[SESSION_KEY] = emails
    messages.info(request, "You are signed out of this portal.")
    return redirect("portal:home", slug=slug)
