"""Production settings (DEBUG off, two-factor on) for the month-end load test, less what needs
TLS: gunicorn serves plain HTTP on 127.0.0.1 with no proxy in front, so cookies may not be
marked Secure (the client would never send them back) and nothing is redirected to https.
Static files are served as they are (no collectstatic manifest): the load test asks for pages,
as a browser with its cache warm would. Used only by bench/month_end.py.
"""

from pcn_admin.settings import *  # noqa: F403
from pcn_admin.settings import STORAGES

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
