"""A form posted after the session ended is kept for its author, not lost.

A member of staff can spend longer than SESSION_IDLE_MINUTES typing a disclosure. When they
press submit, the login redirect would drop everything typed. For views marked
`@keeps_draft`, the middleware below first keeps the posted fields in the new anonymous
session, labelled with whose session it was; the session survives sign-in (Django's `login()`
cycles the key of a session with no user and keeps its data), and the view, on its next GET,
binds its form to `take_draft(request)`. Nothing is saved for the user: they check the form and
send it again.

A draft only ever goes back to the person whose session ended: these are staff-room
computers. That person is read from the expired session row the browser's cookie still names
(the database session store ignores an expired row but keeps it until `clearsessions`). If
nobody can be identified, nothing is kept and the page behaves as it did before.
"""

import json
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, user_logged_in
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.models import Session
from django.dispatch import receiver
from django.http import QueryDict
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import urlencode

# The session key holding {"owner": user id, "drafts": {path: draft}}.
DRAFTS = "_drafts"
# Bigger posts are not kept: a session row is read on every request.
MAX_BYTES = 200_000
# A draft not taken back within this time is dropped, unread.
MAX_AGE_SECONDS = 24 * 60 * 60
# Never kept: a fresh token is rendered with the restored form.
NOT_KEPT = {"csrfmiddlewaretoken"}

RESTORED = (
    "Your session ended before this was saved. Nothing you typed has been lost: "
    "check it and send it again."
)
FILES_NOT_KEPT = "Files cannot be kept: attach them again."


def keeps_draft(view=None, *, restore_at: str | None = None):
    """Mark a view whose form, posted after the session ended, is kept for its author.

    `restore_at` names the URL (reversed with the view's own URL arguments) whose GET shows
    the form again, for a POST-only view whose form lives on another page; by default it is
    the view's own path. Put it outermost, where LoginRequiredMiddleware sees it.
    """

    def mark(view):
        view.keeps_draft = True
        view.draft_restore_at = restore_at
        return view

    return mark if view is None else mark(view)


class DraftKeepingLoginRequiredMiddleware(LoginRequiredMiddleware):
    """LoginRequiredMiddleware that keeps a `@keeps_draft` view's post before the redirect."""

    def handle_no_permission(self, request, view_func):
        if request.method != "POST" or not getattr(view_func, "keeps_draft", False):
            return super().handle_no_permission(request, view_func)
        restore_at, match = view_func.draft_restore_at, request.resolver_match
        path = (
            reverse(restore_at, args=match.args, kwargs=match.kwargs)
            if restore_at
            else request.path
        )
        if not _keep(request, path) or path == request.path:
            return super().handle_no_permission(request, view_func)
        # Back to the page that shows the kept form, not to a POST-only URL.
        login_url = resolve_url(self.get_login_url(view_func))
        if "://" in login_url:
            path = request.build_absolute_uri(path)
        return redirect_to_login(path, login_url, self.get_redirect_field_name(view_func))


def _owner_of_ended_session(request) -> str | None:
    """The id of the user whose session the browser's cookie names, though it has expired;
    or the owner of drafts this (anonymous) session already keeps, when a second form from
    the same ended session arrives after the first."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    row = Session.objects.filter(session_key=key).first() if key else None
    if row is not None and (user_id := row.get_decoded().get(SESSION_KEY)):
        return str(user_id)
    return request.session.get(DRAFTS, {}).get("owner")


def _keep(request, path: str) -> bool:
    """Keep the posted fields for `path` in the session, for whoever's session ended."""
    owner = _owner_of_ended_session(request)
    if owner is None:
        return False
    kept = request.session.get(DRAFTS, {})
    # A copy: the session's own dict stays as it was if this one is too big to keep.
    drafts = dict(kept.get("drafts", {})) if kept.get("owner") == owner else {}
    drafts[path] = {
        "data": {k: v for k, v in request.POST.lists() if k not in NOT_KEPT},
        "files_dropped": bool(request.FILES),
        "saved_at": int(time.time()),
    }
    kept = {"owner": owner, "drafts": drafts}
    if len(json.dumps(kept)) > MAX_BYTES:
        return False
    request.session[DRAFTS] = kept
    return True


def take_draft(request) -> QueryDict | None:
    """The form data kept for this page and this user, once: it is removed from the session.

    Also puts a notice on the page saying the form was restored. Returns None when there is
    no draft, when it has expired, or when it belongs to someone else (and is then dropped).
    """
    kept = request.session.get(DRAFTS)
    if request.method != "GET" or not kept or request.path not in kept["drafts"]:
        return None
    draft = kept["drafts"].pop(request.path)
    if not kept["drafts"]:
        del request.session[DRAFTS]
    request.session.modified = True
    if kept["owner"] != str(request.user.pk):
        return None
    if time.time() - draft["saved_at"] > MAX_AGE_SECONDS:
        return None
    notice = RESTORED + (" " + FILES_NOT_KEPT if draft["files_dropped"] else "")
    messages.warning(request, notice)
    return QueryDict(urlencode(draft["data"], doseq=True))


@receiver(user_logged_in, dispatch_uid="safeguard.drafts.drop_other_peoples_drafts")
def _drop_other_peoples_drafts(sender, request, user, **kwargs):
    """Someone else signing in on the same browser keeps the session, drafts and all; the
    drafts are not theirs, so they go at once rather than sitting in their session."""
    if request is None or not hasattr(request, "session"):
        return
    kept = request.session.get(DRAFTS)
    if kept and kept["owner"] != str(user.pk):
        del request.session[DRAFTS]
