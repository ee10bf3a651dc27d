"""The output and input CRSs the API and exports offer, chosen with ?srid= (or ?crs=)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from core.validators import small_whole_number

WGS84 = 4326
OFFERED_SRIDS = (WGS84, 25832)
# Coordinates rounded to about a centimetre in each CRS.
PRECISION = {WGS84: 7, 25832: 2}


def requested_srid(request, default: int = WGS84) -> int:
    """The SRID asked for with ?srid=4326|25832 (EPSG:xxxx also accepted); 400 otherwise."""
    raw = (request.query_params.get("srid") or request.query_params.get("crs") or "").strip()
    if not raw:
        return default
    value = raw.upper().removeprefix("EPSG:")
    if small_whole_number(value) not in OFFERED_SRIDS:
        raise ValidationError(
            {
                "srid": [
                    _("Unsupported CRS %(crs)s; use one of %(offered)s.")
                    % {"crs": raw, "offered": ", ".join(f"EPSG:{s}" for s in OFFERED_SRIDS)}
                ]
            }
        )
    return int(value)
