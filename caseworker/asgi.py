import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseworker.settings")
application = get_asgi_application()

from caseworker.lib.crypto import require_keys  # noqa: E402 (needs the apps loaded)

# gunicorn runs no system checks: refuse to serve with missing, malformed or wrong keys.
require_keys()
