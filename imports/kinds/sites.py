"""Energy sites: a register of turbines or parks, checked on whole columns and written in bulk (imports.bulk)."""

import hashlib

import numpy as np
import pandas as pd
import shapely
from django.utils.translation import gettext as _

from core.validators import MAX_YEAR, MIN_COMMISSIONING_YEAR
from registry.models import EnergySite, Organisation
from registry.models.sites import AREA_OR_POINT_TYPES, LINE_TYPES

from ..bulk import SITE_COLUMNS, write_sites
from ..columns import FieldSpec, parse_choice, parse_cvr, parse_decimal, parse_year
from .base import ImportKind, external_id_spec, text_spec
from .synonyms import PLANNING_STATUS_SYNONYMS, SITE_TYPE_SYNONYMS


class SitesImport(ImportKind):
    name = "sites"
    geometry_required = True
    model = EnergySite
    # Columns the statements write, in the staging table's order.
    COLUMNS = SITE_COLUMNS

    def fields(self):
        """In the order reports and templates show them."""
        return [*self._identity_fields(), *self._capacity_fields(), *self._detail_fields()]

    def _identity_fields(self):
        """What the site is: its key, name, type and planning status."""
        return [
            external_id_spec(
                "gsrn",
                "moellenummer",
                "moellenummer_gsrn",
                "anlaegs_id",
                "anlaeg_id",
                "site_id",
                "gppd_idnr",
                "projekt_id",
                "project_id",
            ),
            text_spec(
                "name",
                _("name"),
                200,
                ("navn", "title", "titel", "anlaegsnavn", "projektnavn", "project", "projekt", "site_name"),
            ),
            FieldSpec(
                "site_type",
                _("type"),
                parse_choice(EnergySite.SiteType, SITE_TYPE_SYNONYMS),
                ("type", "anlaegstype", "teknologi", "technology", "primary_fuel", "kind"),
                required=True,
            ),
            FieldSpec(
                "planning_status",
                _("planning status"),
                parse_choice(EnergySite.PlanningStatus, PLANNING_STATUS_SYNONYMS),
                ("status", "planstatus", "planlaegningsstatus", "projektstatus"),
            ),
        ]

    def _capacity_fields(self):
        """The installed capacity and its unit; a column in kW is scaled to MW."""
        return [
            FieldSpec(
                "capacity",
                _("capacity"),
                parse_decimal(3, 14),
                ("capacity_mw", "kapacitet", "kapacitet_mw", "effekt", "effekt_mw", "mw", "installed_mw"),
                scaled_aliases={
                    "capacity_kw": 0.001,
                    "capacitykw": 0.001,
                    "kapacitet_kw": 0.001,
                    "effekt_kw": 0.001,
                    "kw": 0.001,
                    "installed_kw": 0.001,
                },
            ),
            FieldSpec(
                "capacity_unit",
                _("capacity unit"),
                parse_choice(EnergySite.CapacityUnit),
                ("unit", "enhed", "kapacitet_enhed"),
            ),
        ]

    def _detail_fields(self):
        """Who runs it, since when, and where the data came from."""
        return [
            FieldSpec(
                "operator_cvr",
                _("operator CVR"),
                parse_cvr,
                ("cvr", "cvr_nr", "cvr_nummer", "ejer_cvr", "owner_cvr", "operatoer_cvr"),
            ),
            FieldSpec(
                "commissioning_year",
                _("commissioning year"),
                parse_year(MIN_COMMISSIONING_YEAR, MAX_YEAR),
                (
                    "idriftsat",
                    "idriftsaettelsesaar",
                    "idriftsaettelse",
                    "commissioning_year",
                    "year",
                    "aar",
                    "dato_for_oprindelig_nettilslutning",
                    "nettilslutning",
                    "commissioned",
                    "tilslutningsdato",
                ),
            ),
            text_spec(
                "description",
                _("description"),
                10_000,
                ("beskrivelse", "note", "noter", "bemaerkning", "comment", "kommentar"),
            ),
            text_spec("data_source", _("data source"), 300, ("source", "kilde", "datakilde")),
        ]

    def allowed_geometry_types(self, values):
        """Lines for pipes, areas or points for every other type (and any of them for a row without a type):
        one tuple for all rows where they share it, as a register of turbines or parks does."""
        both = AREA_OR_POINT_TYPES + LINE_TYPES
        kinds = values["site_type"] if "site_type" in values else pd.Series(None, index=values.index, dtype=object)
        pipes, typed = kinds.isin(EnergySite.PIPE_TYPES).to_numpy(), (kinds.notna() & (kinds != "")).to_numpy()
        if typed.all() and not pipes.any():
            return AREA_OR_POINT_TYPES
        return [LINE_TYPES if pipe else AREA_OR_POINT_TYPES if known else both for pipe, known in zip(pipes, typed)]

    def check(self, prepared):
        values = prepared.values
        if not prepared.has_field("name"):
            labels = dict(EnergySite.SiteType.choices)
            ids = values["external_id"].fillna("")
            keys = ids.where(ids != "", pd.Series(prepared.rows).astype(str))
            values["name"] = [f"{labels.get(t, '')} {k}".strip() for t, k in zip(values["site_type"], keys)]
            prepared.notices.append(_("The file has no name column; sites are named after their type and id."))
        if not prepared.has_field("data_source"):
            values["data_source"] = prepared.file_name[:300]
        if not prepared.has_field("external_id"):
            values["external_id"] = _fingerprints(values, prepared.geometry)
            prepared.notices.append(
                _("The file has no id column; a re-import recognises a site by its name, type and position.")
            )
        cvrs = values["operator_cvr"].fillna("")
        values["operator_id"] = None
        if (cvrs != "").any():
            known = dict(Organisation.objects.filter(cvr__in=set(cvrs[cvrs != ""])).values_list("cvr", "id"))
            values["operator_id"] = cvrs.map(known)
            for position in np.flatnonzero(((cvrs != "") & values["operator_id"].isna()).to_numpy()):
                if not prepared.rejected[position]:
                    prepared.reject(
                        position,
                        "operator_cvr",
                        _("No organisation with CVR %(cvr)s in the registry; add it (or import partnerships) first.")
                        % {"cvr": cvrs.iloc[position]},
                        cvrs.iloc[position],
                    )

    def write(self, prepared, context):
        keep = ~prepared.rejected
        values = prepared.values[keep].copy()
        for column in ("planning_status", "capacity_unit", "description"):
            default = EnergySite._meta.get_field(column).get_default()
            values[column] = values[column].fillna(default) if column in values else default
        for column in ("capacity", "operator_id", "commissioning_year"):
            if column not in values:
                values[column] = None
        updatable = [
            c
            for c in self.COLUMNS
            if c not in ("external_id", "municipality_code")
            and (prepared.has_field(c) or (c == "operator_id" and prepared.has_field("operator_cvr")))
        ]
        if "geometry" in updatable:
            updatable.append("municipality_code")
        return write_sites(values, prepared.geometry[keep], updatable, context)


def _fingerprints(values: pd.DataFrame, geometry) -> list[str]:
    wkb = shapely.to_wkb(shapely.set_precision(geometry, 0.01), hex=True)
    return [
        "file:" + hashlib.sha1(f"{n}|{t}|{g}".encode()).hexdigest()[:20]
        for n, t, g in zip(values["name"], values["site_type"], wkb)
    ]
