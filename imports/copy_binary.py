"""PostgreSQL's binary COPY format, encoded a whole column at a time with numpy and Arrow.

Generic: nothing here knows about sites (imports.bulk decides which columns go where).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from django.db import connection

# COPY's binary format (PostgreSQL manual, "COPY", Binary Format): a signature, then each row as a field
# count and, per field, its length (-1 for NULL) and the type's binary ("send") form; a -1 field count ends it.
# The server then has no text to parse: a 100,000-site load is about a third faster on its side.
COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # no flags, no header extension
COPY_TRAILER = b"\xff\xff"
NULL_LENGTH = -1
POSTGRES_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # timestamps are microseconds since then
NUMERIC_NEGATIVE = 0x4000


@dataclass
class BinaryField:
    """One column of a chunk in COPY's binary form: every row's length word, and its bytes ('' for NULL)."""

    lengths: np.ndarray  # int32, NULL_LENGTH for NULL
    data: pa.Array  # binary

    @classmethod
    def fixed(cls, values: np.ndarray, missing: np.ndarray | None = None) -> "BinaryField":
        """Fixed-width values (a big-endian dtype, or rows of bytes as uint8 rows), NULL where `missing`."""
        raw = np.ascontiguousarray(values)
        width = raw.dtype.itemsize * (raw.shape[1] if raw.ndim == 2 else 1)
        data = pa.Array.from_buffers(pa.binary(width), len(raw), [None, pa.py_buffer(raw)]).cast(pa.binary())
        lengths = np.full(len(raw), width, "int32")
        if missing is not None and missing.any():
            lengths[missing] = NULL_LENGTH
            data = pc.if_else(pa.array(missing), b"", data)
        return cls(lengths, data)

    @classmethod
    def variable(cls, data: pa.Array) -> "BinaryField":
        """Variable-width values as Arrow binary, NULL where the array is null."""
        lengths = pc.fill_null(pc.binary_length(data), NULL_LENGTH).to_numpy(zero_copy_only=False).astype("int32")
        return cls(lengths, pc.fill_null(data, b""))


def binary_rows(fields: list[BinaryField]) -> memoryview:
    """The rows of a chunk as COPY binary: Arrow joins each row's pieces in one pass (no Python per row)."""
    count = len(fields[0].lengths)
    pieces = [BinaryField.fixed(np.full(count, len(fields), ">i2")).data]
    for column in fields:
        pieces += [BinaryField.fixed(column.lengths.astype(">i4")).data, column.data]
    joined = pc.binary_join_element_wise(*pieces, b"")
    if joined.null_count:  # a null piece would drop its whole row from the stream
        raise ValueError("A COPY field was left null.")
    _validity, offsets, values = joined.buffers()
    start, end = np.frombuffer(offsets, "int32")[[joined.offset, joined.offset + count]]
    return memoryview(values)[start:end]


def text_field(values, blank_is_empty: bool) -> BinaryField:
    """A text column as UTF-8; a missing value is NULL, or '' where the column is NOT NULL text."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    try:  # Arrow-backed text (what pandas reads files into) passes without a Python string per value
        data = pa.array(series, pa.string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # numbers in a text column: their text, as before
        data = pa.array(
            [None if pd.isna(v) else v if v.__class__ is str else str(v) for v in series.tolist()], pa.string()
        )
    if isinstance(data, pa.ChunkedArray):
        data = data.combine_chunks()
    if blank_is_empty:
        data = pc.fill_null(data, "")
    return BinaryField.variable(data.cast(pa.binary()))


def integer_field(values, dtype: str) -> BinaryField:
    numbers = pd.to_numeric(pd.Series(values), errors="raise")
    missing = numbers.isna().to_numpy()
    whole = numbers.fillna(0).to_numpy()
    limits = np.iinfo(np.dtype(dtype))
    if not ((whole == np.floor(whole)) & (whole >= limits.min) & (whole <= limits.max)).all():  # never wrapped
        raise ValueError(f"A value that is not a whole number of {limits.bits} bits.")
    return BinaryField.fixed(whole.astype(dtype), missing)


def numeric_field(values, places: int, max_digits: int) -> BinaryField:
    """numeric(max_digits, places) in its binary form: base-10000 digit groups around the decimal point.

    Every value is written with the same groups (leading and trailing zero groups included: the server
    strips them), so the whole column is a few numpy operations. Values arrive rounded to their places
    (imports.columns.parse_decimal); scaled by 10^places they are exact integers in a double.
    """
    numbers = pd.to_numeric(pd.Series(values), errors="raise").to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(numbers)
    magnitude = np.abs(np.where(missing, 0, numbers))
    whole_groups, fraction_groups = -(-(max_digits - places) // 4), -(-places // 4)
    if not (magnitude < 10_000.0**whole_groups).all():  # beyond what the groups hold (or infinite): never cut
        raise ValueError(f"A value of more than {max_digits - places} digits before the decimal point.")
    scaled = np.rint(magnitude * 10**places).astype("int64")
    whole, fraction = np.divmod(scaled, 10**places)
    fraction = fraction * 10 ** (4 * fraction_groups - places)
    groups = [(whole // 10_000**g) % 10_000 for g in reversed(range(whole_groups))]
    groups += [(fraction // 10_000**g) % 10_000 for g in reversed(range(fraction_groups))]
    count = len(numbers)
    sign = np.where((numbers < 0) & (scaled > 0), NUMERIC_NEGATIVE, 0)
    header = [
        np.full(count, whole_groups + fraction_groups),
        np.full(count, whole_groups - 1),
        sign,
        np.full(count, places),
    ]
    return BinaryField.fixed(np.stack(header + groups, axis=1).astype(">i2"), missing)


def geometry_field(geometries: np.ndarray) -> BinaryField:
    """Plain WKB (the column's typmod gives it the storage SRID), NULL for None.

    2D points, what registers are made of, are spelt from their coordinates with numpy, all at once;
    anything else goes through GEOS's WKB writer.
    """
    if len(geometries) and (shapely.get_type_id(geometries) == 0).all() and not shapely.has_z(geometries).any():
        xy = shapely.get_coordinates(geometries)
        if len(xy) == len(geometries):  # no empty point among them
            wkb = np.empty((len(xy), 21), np.uint8)
            wkb[:, :5] = (1, 1, 0, 0, 0)  # little endian; type 1, Point
            wkb[:, 5:] = np.ascontiguousarray(xy, "<f8").view(np.uint8)
            return BinaryField.fixed(wkb)
    return BinaryField.variable(pa.array(shapely.to_wkb(geometries), pa.binary(), from_pandas=True))


def timestamp_field(moment: datetime, count: int) -> BinaryField:
    microseconds = (moment - POSTGRES_EPOCH) // timedelta(microseconds=1)
    return BinaryField.fixed(np.full(count, microseconds, ">i8"))


def column_encoder(model, column: str, blank_is_empty: bool):
    """How a column of `model` is written in COPY binary: a function of a chunk's values to a BinaryField,
    chosen by the column's database type, so a migration that changes a type cannot send the wrong bytes.
    `blank_is_empty`: a text column that is NOT NULL, where a missing value is written as ''."""
    model_field = model._meta.get_field(column)
    db_type = model_field.db_type(connection)
    if db_type.startswith(("varchar", "text")):
        return lambda values: text_field(values, blank_is_empty)
    if db_type in ("bigint", "integer", "smallint"):
        dtype = {"bigint": ">i8", "integer": ">i4", "smallint": ">i2"}[db_type]
        return lambda values: integer_field(values, dtype)
    if db_type.startswith("numeric"):
        return lambda values: numeric_field(values, model_field.decimal_places, model_field.max_digits)
    if db_type.startswith("geometry"):
        return geometry_field
    raise TypeError(f"No COPY binary encoder for {column} ({db_type})")
