"""History tables that are cheap to write in bulk."""

from simple_history.models import HistoricalRecords


class LeanHistoricalRecords(HistoricalRecords):
    """History that keeps only the indexes its readers use.

    simple-history copies every index of the live table (and the spatial one) into the
    history table; for a table loaded 100,000 rows at a time that doubles the cost of an
    import for indexes nobody queries. As-of reads look up versions by id and date only.
    """

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name, field in fields.items():
            if name != "id":
                field.db_index = False
            if getattr(field, "spatial_index", False):
                field.spatial_index = False
        return fields
