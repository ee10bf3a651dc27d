"""Writing energy sites in bulk: COPY and a few set-based statements, history rows included.

A national turbine register is 100,000 rows. Every row has already been checked (imports.kinds);
here they are matched against the registry by external id in one query, and then:

- an ordinary import copies its rows into a temporary staging table, from which one statement
  inserts the new sites together with their history rows and another updates the matched ones
  (again with their history);
- a first load that brings more new sites than the table holds (and at least
  settings.IMPORT_REBUILD_INDEXES_MIN_ROWS), in an import that is to be committed, is loaded the
  way PostgreSQL's manual advises for populating a table: the secondary indexes (and the history's
  primary key) are dropped, the new sites are copied straight into the table (COPY writes a page of
  rows at a time, an INSERT a row at a time), their history rows are one INSERT ... SELECT of them,
  and the indexes are built again as they were. All of this is inside the import's transaction: a
  failed import leaves the indexes exactly as they were, too.

Rows go to COPY in its binary form (imports.copy_binary), so the server parses no text.
"""

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from gis.models import MunicipalityLocator
from registry.models import EnergySite

from .copy_binary import COPY_SIGNATURE, COPY_TRAILER, binary_rows, column_encoder, text_field, timestamp_field

# The sites' columns an import writes, in the order COPY is given them.
SITE_COLUMNS = (
    "external_id",
    "name",
    "site_type",
    "planning_status",
    "geometry",
    "capacity",
    "capacity_unit",
    "operator_id",
    "commissioning_year",
    "description",
    "data_source",
    "municipality_code",
)
TEXT_COLUMNS = ("external_id", "name", "description", "data_source", "municipality_code")
COPY_CHUNK_ROWS = 5_000  # small enough that the first chunk, encoded before the server has work, costs little
# Dropping an index locks the table (ACCESS EXCLUSIVE) until the import commits, so readers of the
# sites wait for those seconds: a busy table (the lock not had within this time) is loaded the ordinary way.
SET_ASIDE_LOCK_TIMEOUT = "2s"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def history_columns(model) -> tuple[list[str], list[str]]:
    """The historical table's copy of the model's columns, and its own bookkeeping columns."""
    own = [f.column for f in model._meta.concrete_fields]
    return own, ["history_date", "history_change_reason", "history_type", "history_user_id"]


class SiteRows:
    """The checked rows of a sites import, encoded for COPY a chunk at a time.

    Encoding chunk by chunk lets the server digest one chunk while the next is being encoded
    (COPY's data goes out from a writer thread): the geometry's WKB and the municipality lookup
    (`locate`, shapely geometries to codes) are done there too, so they cost no time of their own.
    """

    def __init__(self, values: pd.DataFrame, geometry: np.ndarray, locate):
        self.values, self.geometry, self.locate = values, geometry, locate
        self.encoders = {
            column: column_encoder(EnergySite, column, column in TEXT_COLUMNS) for column in ("id", *SITE_COLUMNS)
        }

    def __len__(self):
        return len(self.values)

    def encoded(self, positions: np.ndarray, ids: pd.Series, stamps: tuple[datetime, ...]) -> memoryview:
        """Rows at `positions` as COPY binary: `ids` (one per position, NULL where missing), our columns,
        then the constant timestamps `stamps`."""
        part = self.values.iloc[positions]
        geometry = self.geometry[positions]
        known = {"geometry": geometry, "municipality_code": self.locate(geometry)}
        fields = [self.encoders["id"](ids)]
        fields += [self.encoders[c](known[c] if c in known else part[c]) for c in SITE_COLUMNS]
        fields += [timestamp_field(moment, len(positions)) for moment in stamps]
        return binary_rows(fields)

    def copy(
        self,
        cursor,
        table: str,
        positions: np.ndarray,
        progress,
        ids: np.ndarray,
        stamps: dict[str, datetime] | None = None,
    ) -> None:
        """COPY the rows at `positions` into `table` with their `ids` (-1: none, NULL), reporting progress
        by rows sent."""
        stamps = stamps or {}
        names = ", ".join(["id", *SITE_COLUMNS, *stamps])
        ids = pd.Series(pd.array(ids, dtype="Int64")).where(ids >= 0)  # exact: never through a float
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper does not pass a writer on
        with raw.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT binary)", writer=QueuedLibpqWriter(raw)) as copy:
            copy.write(COPY_SIGNATURE)
            for start in range(0, len(positions), COPY_CHUNK_ROWS):
                chunk = slice(start, start + COPY_CHUNK_ROWS)
                copy.write(self.encoded(positions[chunk], ids.iloc[chunk], tuple(stamps.values())))
                progress(min(start + COPY_CHUNK_ROWS, len(positions)))
            copy.write(COPY_TRAILER)


@dataclass
class SetAside:
    """What a bulk load drops and builds again: the tables it locked, their secondary indexes
    (table, name, definition) and the primary keys no foreign key refers to (table, name, definition)."""

    tables: list[str] = field(default_factory=list)
    indexes: list[tuple[str, str, str]] = field(default_factory=list)
    primary_keys: list[tuple[str, str, str]] = field(default_factory=list)

    def restore(self, cursor) -> None:
        _fire_pending_key_checks(cursor, self.tables)
        for table, name, definition in self.primary_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
        for _table, _name, definition in self.indexes:
            cursor.execute(definition)


def _table_smaller_than(cursor, table: str, rows: int) -> bool:
    cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) s", [rows])
    return cursor.fetchone()[0] < rows


def _fire_pending_key_checks(cursor, tables: list[str]) -> None:
    """Run now the deferred foreign-key checks of the rows just written (they would run at commit anyway),
    then defer those keys again: CREATE INDEX refuses a table with pending trigger events."""
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE (conrelid = ANY(%s::regclass[]) "
        "OR confrelid = ANY(%s::regclass[])) AND contype = 'f' AND condeferrable AND condeferred",
        [tables, tables],
    )
    deferred = ", ".join(connection.ops.quote_name(name) for (name,) in cursor.fetchall())
    if deferred:
        cursor.execute(f"SET CONSTRAINTS {deferred} IMMEDIATE")
        cursor.execute(f"SET CONSTRAINTS {deferred} DEFERRED")


def begin_bulk_load(cursor, table: str, history_table: str, new_rows: int) -> SetAside | None:
    """Drop the secondary indexes of the sites (and of their history, when it too is smaller than the load,
    with its primary key: no foreign key refers to it), or None when this load is to go the ordinary way:
    too small, into a table larger than it, or into a table that someone is using (its lock not had within
    SET_ASIDE_LOCK_TIMEOUT).

    Foreign keys stay: dropping one would lock the table it references (the users, whom every request
    reads) as exclusively as the sites.
    """
    if new_rows < settings.IMPORT_REBUILD_INDEXES_MIN_ROWS or not _table_smaller_than(cursor, table, new_rows):
        return None
    tables = [table] + ([history_table] if _table_smaller_than(cursor, history_table, new_rows) else [])
    try:
        with transaction.atomic():
            cursor.execute(f"SET LOCAL lock_timeout = '{SET_ASIDE_LOCK_TIMEOUT}'")
            cursor.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
    except OperationalError:
        return None
    cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    cursor.execute(
        """
        SELECT x.indrelid::regclass::text, x.indexrelid::regclass::text, pg_get_indexdef(x.indexrelid)
        FROM pg_index x
        WHERE x.indrelid = ANY(%s::regclass[]) AND NOT x.indisunique AND NOT x.indisprimary AND x.indisvalid
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
        ORDER BY 1, 2""",
        [tables],
    )
    indexes = cursor.fetchall()
    if indexes:
        cursor.execute("DROP INDEX " + ", ".join(name for _table, name, _definition in indexes))
    # A primary key is put back as it was, too, where no foreign key needs it meanwhile (the history's).
    cursor.execute(
        """
        SELECT k.conrelid::regclass::text, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k
        WHERE k.conrelid = ANY(%s::regclass[]) AND k.contype = 'p'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.confrelid = k.conrelid)
        ORDER BY 1""",
        [tables],
    )
    primary_keys = cursor.fetchall()
    if primary_keys:  # ALTER TABLE refuses a table with rows of this transaction still to be checked
        _fire_pending_key_checks(cursor, tables)
    for owner, name, _definition in primary_keys:
        cursor.execute(f"ALTER TABLE {owner} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    return SetAside(tables, indexes, primary_keys)


def _reserve_ids(cursor, table: str, count: int, column: str = "id") -> np.ndarray:
    """`count` ids from the table's identity sequence, consecutive (the caller holds the table's exclusive
    lock, so no INSERT can draw from the sequence meanwhile)."""
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence(%s, %s), nextval(pg_get_serial_sequence(%s, %s)) + %s - 1)",
        [table, column, table, column, count],
    )
    last = cursor.fetchone()[0]
    return np.arange(last - count + 1, last + 1)


def registered_ids(cursor, table: str, external_ids: pd.Series) -> np.ndarray:
    """The id of the site in the registry with each row's external id (the lowest when several share it),
    or -1 for a new one."""
    keys = external_ids.fillna("").astype(str)
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
    if not len(keys) or not cursor.fetchone()[0]:  # nothing to match (a first load)
        return np.full(len(keys), -1, "int64")
    # The keys go in by COPY: as an array parameter, 100,000 of them take longer to send than the join takes.
    cursor.execute("CREATE TEMP TABLE import_site_keys (external_id text) ON COMMIT DROP")
    with cursor.cursor.copy("COPY import_site_keys FROM STDIN (FORMAT binary)") as copy:
        for part in (COPY_SIGNATURE, binary_rows([text_field(keys.drop_duplicates(), True)]), COPY_TRAILER):
            copy.write(part)
    cursor.execute(
        f"SELECT DISTINCT ON (t.external_id) t.external_id, t.id FROM {table} t "
        f"JOIN import_site_keys k ON k.external_id = t.external_id ORDER BY t.external_id, t.id"
    )
    known = dict(cursor.fetchall())
    cursor.execute("DROP TABLE import_site_keys")
    return keys.map(known).fillna(-1).astype("int64").to_numpy()


class SiteLoad:
    """One write_sites call: what its phases share (the cursor, the rows, the tables, who writes and when)."""

    def __init__(self, cursor, rows: SiteRows, context, now: datetime):
        self.cursor, self.rows, self.context, self.now = cursor, rows, context, now
        self.table = EnergySite._meta.db_table
        self.history_table = EnergySite.history.model._meta.db_table
        self.own, bookkeeping = history_columns(EnergySite)
        self.history_listing = ", ".join(self.own + bookkeeping)
        self.user_id = getattr(context.user, "pk", None)
        self.total = len(rows)

    def progress(self, done_before: int = 0):
        return lambda done: self.context.progress("writing", done_before + done, self.total)

    def load_new_into_table(self, external_ids: pd.Series, set_aside: SetAside) -> tuple[np.ndarray, np.ndarray, int]:
        """The bulk load, with the indexes set aside: new sites copied straight into the table, their history
        one INSERT ... SELECT; then the indexes are built again. The rows' site ids, the new rows' positions
        and how many were created."""
        cursor, table, history_table = self.cursor, self.table, self.history_table
        # Matched again under the lock: another import may have committed while this one waited for it.
        site_ids = registered_ids(cursor, table, external_ids)
        new_positions = np.flatnonzero(site_ids < 0)
        created = 0
        if len(new_positions):
            ids = _reserve_ids(cursor, table, len(new_positions))
            self.rows.copy(
                cursor,
                table,
                new_positions,
                self.progress(),
                ids,
                stamps={"created_at": self.now, "updated_at": self.now},
            )
            history_ids, id_params = "", []
            if history_table in set_aside.tables:  # its ids too drawn at once: no nextval() per row
                first_history_id = _reserve_ids(cursor, history_table, len(ids), "history_id")[0]
                history_ids, id_params = "history_id, ", [int(ids[0]), int(first_history_id)]
            cursor.execute(
                f"""
                INSERT INTO {history_table} ({history_ids}{self.history_listing})
                SELECT {"id - %s + %s, " if history_ids else ""}{", ".join(self.own)}, now(), %s, '+', %s
                FROM {table} WHERE id BETWEEN %s AND %s""",
                [*id_params, self.context.change_reason, self.user_id, int(ids[0]), int(ids[-1])],
            )
            created = cursor.rowcount
        set_aside.restore(self.cursor)
        return site_ids, new_positions, created

    def stage(self, staged: np.ndarray, site_ids: np.ndarray) -> None:
        """COPY the rows at `staged` (with their site ids, NULL for new ones) into the staging table."""
        listed = ", ".join(SITE_COLUMNS)
        self.cursor.execute(
            f"CREATE TEMP TABLE import_sites ON COMMIT DROP AS SELECT id, {listed} FROM {self.table} WITH NO DATA"
        )
        self.rows.copy(self.cursor, "import_sites", staged, self.progress(self.total - len(staged)), site_ids)

    def insert_staged_new(self) -> int:
        """New sites take their ids from the table's identity; their history rows are the rows just
        inserted (RETURNING) plus who, when and why, in the same statement."""
        listed = ", ".join(SITE_COLUMNS)
        self.cursor.execute(
            f"""
            WITH created AS (
                INSERT INTO {self.table} ({listed}, created_at, updated_at)
                SELECT {listed}, %s, %s FROM import_sites WHERE id IS NULL
                RETURNING *
            ), history AS (
                INSERT INTO {self.history_table} ({self.history_listing})
                SELECT {", ".join(f"r.{c}" for c in self.own)}, now(), %s, '+', %s FROM created r
            )
            SELECT count(*) FROM created""",
            [self.now, self.now, self.context.change_reason, self.user_id],
        )
        return self.cursor.fetchone()[0]

    def update_staged_matched(self, updatable: list[str]) -> int:
        """Matched sites whose `updatable` columns differ are updated, each with its history row."""
        compared_old = ", ".join(f"t.{c}" for c in updatable)
        compared_new = ", ".join(f"s.{c}" for c in updatable)
        self.cursor.execute(
            f"""
            WITH changed AS (
                UPDATE {self.table} t SET {", ".join(f"{c} = s.{c}" for c in updatable)}, updated_at = now()
                FROM import_sites s
                WHERE t.id = s.id AND ROW({compared_old}) IS DISTINCT FROM ROW({compared_new})
                RETURNING t.*
            ), history AS (
                INSERT INTO {self.history_table} ({self.history_listing})
                SELECT {", ".join(f"r.{c}" for c in self.own)}, now(), %s, '~', %s FROM changed r
            )
            SELECT count(*) FROM changed""",
            [self.context.change_reason, self.user_id],
        )
        return self.cursor.fetchone()[0]


def write_sites(values: pd.DataFrame, geometry: np.ndarray, updatable: list[str], context) -> Counts:
    """Write checked sites (geometry in the storage CRS): new ones created, matched ones updated where
    `updatable` columns differ."""
    rows = SiteRows(values, geometry, MunicipalityLocator().codes_for)
    now = timezone.now()
    counts = Counts()
    with connection.cursor() as cursor:
        load = SiteLoad(cursor, rows, context, now)
        site_ids = registered_ids(cursor, load.table, values["external_id"])
        staged = np.arange(load.total)  # the rows that go through the staging table
        new_positions = np.flatnonzero(site_ids < 0)
        # An import that will be rolled back (a dry run, rejected rows) does not lock the table for it.
        set_aside = (
            begin_bulk_load(cursor, load.table, load.history_table, len(new_positions))
            if len(new_positions) and context.commits
            else None
        )
        if set_aside is not None:
            site_ids, new_positions, counts.created = load.load_new_into_table(values["external_id"], set_aside)
            staged = np.flatnonzero(site_ids >= 0)
        if len(staged):
            load.stage(staged, site_ids[staged])
            if set_aside is None and len(new_positions):
                counts.created = load.insert_staged_new()
            matched = load.total - len(new_positions)
            if matched and updatable:
                counts.updated = load.update_staged_matched(updatable)
            counts.unchanged = matched - counts.updated
            cursor.execute("DROP TABLE import_sites")
        context.progress("writing", load.total, load.total)
    return counts
