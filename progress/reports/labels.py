"""Labels both report formats share."""

from partnerships.models import Sector


def sectors() -> list[tuple[str, str]]:
    """(key, translated label) of each sector, as plain strings for the file formats."""
    return [(key, str(label)) for key, label in Sector.choices]
