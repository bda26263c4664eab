"""The WSGI application `manage.py benchmark_load` serves with gunicorn: the portal with
production settings (from the environment it is given) plus the bare 50-card page of
`portal/benchmark_urls.py`. Used only by that command."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()
settings.ROOT_URLCONF = "portal.benchmark_urls"
