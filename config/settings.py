"""Settings for the climate partnership registry.

Every environment variable is declared once, here, with its default. DEBUG is off unless
DJANGO_DEBUG=1 says otherwise (`make run` and the test suite say so); with it off, start-up
refuses the development secret key.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(int(default))).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEV_SECRET_KEY = "dev-only-insecure-key-change-me"
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or DEV_SECRET_KEY
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (for development: DJANGO_DEBUG=1, as `make run` sets)."
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")
# One-click sign-in as a demo user of each role: only when asked for (`make run` does), whatever DEBUG says.
DEMO_LOGIN_ENABLED = env_bool("DEMO_LOGIN_ENABLED", False)
# `load_demo` makes users with the password "demo": only on an installation started with DJANGO_DEBUG on.
# Read once here because test runners switch settings.DEBUG off while they run.
DEMO_DATA_ALLOWED = DEBUG

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL")
        or f"postgis://registry@127.0.0.1:{os.environ.get('LOCALDB_PORT', '54329')}/climate_registry",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Two test runs on one server need different test database names (e.g. parallel sessions).
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("DATABASE_TEST_NAME") or None}
# A second connection to the same database: an import reports its progress through it while its
# own transaction is still open (and so invisible to everyone else).
DATABASES["import_progress"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
if DATABASES["default"]["ENGINE"] != "django.contrib.gis.db.backends.postgis":
    raise ImproperlyConfigured("DATABASE_URL must point at PostGIS (postgis://...).")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework_gis",
    "gisserver",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "procrastinate.contrib.django",
    "jobs",
    "core",
    "access",
    "gis.apps.GeoConfig",
    "registry",
    "partnerships",
    "progress",
    "publish",
    "ogc",
    "wfs",
    "imports",
    "demo",
    "django_filters",
]

MIDDLEWARE = [
    # First, so that responses the middleware below answers by itself (the HTTPS redirect, static files,
    # the 503 of an outage) carry the policy and the cache headers too.
    "config.security.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.db_unavailable.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

AUTHENTICATION_BACKENDS = ["access.backends.CachedPermissionBackend"]
# Sessions read from the cache first, written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("DJANGO_LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("da", _("Danish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/Copenhagen")
USE_I18N = True
USE_TZ = True
# Numbers grouped by the language's thousands separator ("12.345" in Danish); config/formats/ adjusts
# Django's formats per language (Danish short dates "03-12-2026", English "3 December 2026").
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / ".data" / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / ".data" / "media"))
# Uploaded documents (signed agreements) are served only by config/documents.py, to those who may read them.
MEDIA_URL = "media/"
# Uploaded import files are kept here (outside MEDIA_ROOT: never served) so a checked file can be applied.
# Web servers and workers on several machines share it (a network file system), as they share MEDIA_ROOT.
IMPORT_ROOT = Path(os.environ.get("IMPORT_ROOT", BASE_DIR / ".data" / "imports"))
IMPORT_MAX_MB = int(os.environ.get("IMPORT_MAX_MB", "200"))
# A zip (zipped Shapefile, .xlsx) may not expand beyond this: a zip bomb is refused, not unpacked.
IMPORT_MAX_UNCOMPRESSED_MB = int(os.environ.get("IMPORT_MAX_UNCOMPRESSED_MB", "1000"))
# A first load of at least this many new sites (more than the table holds) rebuilds the indexes once at the end.
IMPORT_REBUILD_INDEXES_MIN_ROWS = int(os.environ.get("IMPORT_REBUILD_INDEXES_MIN_ROWS", "50000"))
# Vertices one geometry may have, on every path (API, admin, import; gis/validation.py). Real outlines are far
# below: Aalborg Kommune's boundary has 1,059, all of Denmark's municipalities together 33,841 (../shared/data).
# A million-vertex polygon costs seconds per request in the API's GeoJSON; at 50,000 one feature costs < 1 s.
MAX_GEOMETRY_VERTICES = int(os.environ.get("MAX_GEOMETRY_VERTICES", "50000"))

# Debian 12 ships GDAL 3.6; the hardening this check asks for needs GDAL >= 3.9. Uploaded
# files are read with pyogrio, and the spatial references we accept are our own EPSG codes.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# GeoPackage and Shapefile exports are written here first (the system's temporary directory when empty).
EXPORT_WORK_DIR = os.environ.get("EXPORT_WORK_DIR", "")

# Vector tiles are cached per process under the layer's version (see gis/tiles.py): never stale.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "tiles": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "tiles",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("TILE_CACHE_ENTRIES", "20000"))},
    },
}
# The planners' map: a raster basemap URL template ({z}/{x}/{y}); empty for a plain background.
MAP_BASEMAP_TILES = os.environ.get("MAP_BASEMAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_BASEMAP_ATTRIBUTION = os.environ.get("MAP_BASEMAP_ATTRIBUTION", "© OpenStreetMap contributors")
# With a token for the Danish Agency for Data Supply and Infrastructure, its screen map replaces OSM.
MAP_DATAFORSYNINGEN_TOKEN = os.environ.get("MAP_DATAFORSYNINGEN_TOKEN", "")
MAP_DATAFORSYNINGEN_TILES = os.environ.get(
    "MAP_DATAFORSYNINGEN_TILES",
    "https://api.dataforsyningen.dk/topo_skaermkort_webm_DAF?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=topo_skaermkort_webm&STYLE=default&FORMAT=image/jpeg&TILEMATRIXSET=DFD_GoogleMapsCompatible"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&token={token}",
)


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


# The map fetches basemap tiles from these servers (MapLibre with fetch, the admin's map as images).
MAP_TILE_ORIGINS = sorted(
    filter(
        None, {_origin(MAP_BASEMAP_TILES), _origin(MAP_DATAFORSYNINGEN_TILES) if MAP_DATAFORSYNINGEN_TOKEN else None}
    )
)
# No inline script or style anywhere; MapLibre runs its workers from blob: URLs.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:", *MAP_TILE_ORIGINS],
    "connect-src": ["'self'", *MAP_TILE_ORIGINS],
    "worker-src": ["'self'", "blob:"],
    "child-src": ["'self'", "blob:"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# One sign-in page for every role (access/urls.py); the admin's /admin/login/ sends anonymous visitors there too.
LOGIN_URL = "login"
# Sign-in rate limit (access/sign_in_limit.py): failures within the window, per user name and per address.
SIGN_IN_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_FAILURE_LIMIT", "5"))
SIGN_IN_FAILURE_LIMIT_PER_ADDRESS = int(os.environ.get("SIGN_IN_FAILURE_LIMIT_PER_ADDRESS", "20"))
SIGN_IN_FAILURE_WINDOW_MINUTES = int(os.environ.get("SIGN_IN_FAILURE_WINDOW_MINUTES", "15"))
# Behind a proxy every request comes from the proxy: name the header it puts the client's address in.
SIGN_IN_CLIENT_IP_HEADER = os.environ.get("SIGN_IN_CLIENT_IP_HEADER", "")
LOGIN_REDIRECT_URL = "home"

# The job queue (Procrastinate on this database, jobs/): imports, report files, e-mail and periodic work run
# in `manage.py procrastinate worker` processes, never in a web worker. A worker beats a heartbeat every
# JOB_HEARTBEAT_SECONDS; one silent for JOB_STALLED_SECONDS is taken for dead, and every JOB_RECOVERY_CRON
# (croniter's sixth field is seconds) its jobs are retried or marked failed (jobs/tasks.py).
JOB_HEARTBEAT_SECONDS = float(os.environ.get("JOB_HEARTBEAT_SECONDS", "10"))
JOB_STALLED_SECONDS = float(os.environ.get("JOB_STALLED_SECONDS", "30"))
JOB_RECOVERY_CRON = os.environ.get("JOB_RECOVERY_CRON", "* * * * * */10")
PROCRASTINATE_WORKER_DEFAULTS = {
    # two at a time: the queue's light work (recovery, mail) never waits behind one long import or report
    "concurrency": int(os.environ.get("JOB_WORKER_CONCURRENCY", "2")),
    "update_heartbeat_interval": JOB_HEARTBEAT_SECONDS,
    "stalled_worker_timeout": JOB_STALLED_SECONDS,
    "delete_jobs": "successful",  # a job's outcome lives on its own record (an import run, a report)
}
# A periodic job missed while no worker ran (the half-yearly report) is still deferred when one starts within
# 40 days; only its latest time is, once (Procrastinate keeps which times it deferred).
PROCRASTINATE_PERIODIC_DEFAULTS = {"max_delay": 40 * 24 * 3600}

# Mail (password reset): the console in development, SMTP in production.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A mail server that does not answer must not hold a worker for ever.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "klimapartnerskaber@localhost")

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    # Behind the TLS proxy, X-Forwarded-Proto tells Django the request was HTTPS; plain HTTP is redirected.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)

# Where the registry's own geography lives: ETRS89 / UTM 32N, Denmark's official CRS.
STORAGE_SRID = 25832
# The municipality this installation serves (Aalborg Kommune).
HOME_MUNICIPALITY_CODE = os.environ.get("HOME_MUNICIPALITY_CODE", "0851")

# Anonymous users get nothing from the API unless this opens read-only access.
API_ANONYMOUS_READ = env_bool("API_ANONYMOUS_READ", False)
# HTTP Basic sends the password with every request: in production only over HTTPS (behind the proxy, as it says).
BASIC_AUTH_HTTPS_ONLY = env_bool("BASIC_AUTH_HTTPS_ONLY", not DEBUG)

# Surplus-heat opportunities: the rough assumptions behind each candidate (each can also be set per request).
# Transmission pipe laid in the ground, DKK per metre of route.
HEAT_PIPE_COST_DKK_PER_M = float(os.environ.get("HEAT_PIPE_COST_DKK_PER_M", "6000"))
# CO2e of the heat the surplus heat replaces, kg per MWh (set it to the network's marginal production).
HEAT_DISPLACED_EMISSION_FACTOR_KG_PER_MWH = float(os.environ.get("HEAT_DISPLACED_EMISSION_FACTOR_KG_PER_MWH", "200"))
# Full-load hours a year, to estimate a source's capacity (MW) from its MWh/yr when it has none.
HEAT_FULL_LOAD_HOURS = float(os.environ.get("HEAT_FULL_LOAD_HOURS", "8000"))
# Supply temperature assumed for a network that does not state one; a cooler source needs a heat pump.
HEAT_DEFAULT_SUPPLY_TEMPERATURE_C = float(os.environ.get("HEAT_DEFAULT_SUPPLY_TEMPERATURE_C", "70"))
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["access.permissions.RolePermissions"],
    # Basic first: its challenge is the 401's WWW-Authenticate, which GIS clients answer (access/authentication.py)
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "access.authentication.BasicAuthentication",
        "access.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    # in the request's language (Accept-Language, or ?lang=da on /api/schema/)
    "TITLE": _("Climate partnership registry API"),
    "DESCRIPTION": _(
        "Aalborg Kommune's climate partnerships, measures, energy sites and progress toward the "
        "priority-4 targets. Tonnes are t CO2e/yr; geometry in EPSG:25832 unless asked otherwise."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files: municipal networks block CDNs.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI's deep links put a link inside each operation's button (WCAG 4.1.2, axe nested-interactive)
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.document_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
