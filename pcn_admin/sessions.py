"""Idle sessions end: a signed-in session lasts SESSION_COOKIE_AGE seconds (30 minutes) from
the last time it was used.

Saving the session on every request would do it, at a database write per page. Instead the
expiry is moved on when the session was last refreshed more than SESSION_REFRESH_SECONDS ago,
so a page usually writes nothing and a session ends between 29 and 30 idle minutes.
"""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY

REFRESHED = "_refreshed_at"


def refresh_session(session) -> None:
    """Mark the session as used now; Django saves it with a new expiry."""
    session[REFRESHED] = int(time.time())


def stamp_on_sign_in(sender, request, user, **kwargs) -> None:
    """A new session starts fresh, so the first pages after signing in write nothing."""
    if request is not None and hasattr(request, "session"):
        refresh_session(request.session)


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a signed-in browser session: an API call with a token starts no session.
        if session is not None and SESSION_KEY in session:
            last = session.get(REFRESHED, 0)
            if time.time() - last >= settings.SESSION_REFRESH_SECONDS:
                refresh_session(session)
        return response
