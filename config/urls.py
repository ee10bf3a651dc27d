from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

# The language comes from the user's choice (cookie, set at /i18n/setlang/) or the browser's
# Accept-Language, for pages and API alike; no language prefix in URLs.
urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("config.api_urls")),
    path("admin/", admin.site.urls),
    path("progress/", include("progress.urls")),
    path("imports/", include("imports.urls")),
    path("ogc/", include("ogc.urls")),
    path("", include("gis.urls")),
    path("", include("registry.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"
