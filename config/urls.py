from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from progress.views import front_page

from . import documents, views

# The language comes from the user's choice (cookie, set at /i18n/setlang/) or the browser's
# Accept-Language, for pages and API alike; no language prefix in URLs.
urlpatterns = [
    path("", front_page, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("access.urls")),
    path("api/", include("config.api_urls")),
    path("admin/", admin.site.urls),
    path("progress/", include("progress.urls")),
    path("imports/", include("imports.urls")),
    path("ogc/", include("ogc.urls")),
    path("wfs/", include("wfs.urls")),
    path("", include("publish.urls")),
    path("", include("registry.urls")),
    path("", include("demo.urls")),
    # Uploaded documents, with or without DEBUG: never a plain file server (config/documents.py).
    path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", documents.document, name="document"),
]

handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"
