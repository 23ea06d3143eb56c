import time

# The session records when it was last kept alive under this key.
LAST_ACTIVE = "_last_active"
# Keep-alive writes happen at most this often, so ordinary pages cost no session write.
TOUCH_EVERY_SECONDS = 60


def mark_active(session) -> None:
    session[LAST_ACTIVE] = int(time.time())


class IdleSessionMiddleware:
    """A signed-in session ends SESSION_IDLE_MINUTES after the user's last request.

    The session's expiry moves forward whenever the session is saved; this saves it at most
    once a minute while the user is active, instead of on every request
    (SESSION_SAVE_EVERY_REQUEST would add a database write to every page). Sessions start
    being kept alive at sign-in (accounts.receivers marks them).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key is not None:
            last = session.get(LAST_ACTIVE)
            if last is not None and time.time() - last >= TOUCH_EVERY_SECONDS:
                mark_active(session)
        return response
