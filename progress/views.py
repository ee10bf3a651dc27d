"""The dashboard (front page for signed-in users), the drill-down tables and the report downloads."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework import serializers

from access.roles import ROLES
from core import formats
from partnerships.models import ClimatePartnership, ExternalFunding, InternationalPartnership, Measure, Sector

from . import selectors, tasks
from .api import AsOfSerializer, DrillDownSerializer
from .models import StatusReport
from .reports import workbook

VIEW_PERMISSION = "partnerships.view_measure"
REPORTS_SHOWN = 50


def front_page(request):
    if request.user.is_authenticated and request.user.has_perm(VIEW_PERMISSION):
        return dashboard(request)
    return render(request, "home.html", {"roles": ROLES, "demo_login": settings.DEMO_LOGIN_ENABLED})


def _query(request):
    query = DrillDownSerializer(data=request.GET)
    query.is_valid()
    return query


def chart_labels() -> dict:
    """Every word the charts show, translated on the server."""
    return {
        "sectors": dict(Sector.choices),
        "measure_types": dict(Measure.MeasureType.choices),
        "statuses": dict(ClimatePartnership.Status.choices),
        "committed": _("Committed"),
        "pipeline": _("Pipeline"),
        "realised": _("Realised"),
        "trajectory": _("Committed reduction in effect (t CO2e/yr)"),
        "target_path": _("Straight path to the target"),
        "signed": _("Partnerships signed"),
        "annual_target": _("Annual target"),
        "annual_target_max": _("Upper end of target"),
        "international": _("International partnerships"),
        "funding": _("Granted funding (DKK)"),
        # units and language for the axes and tooltips (dashboard.js formats with Intl.NumberFormat(language))
        "tonnes": _("t CO2e/yr"),
        "money": _("DKK"),
        "language": get_language(),
    }


def _bar(figures: dict) -> dict:
    """Widths (percent of the target) of the committed, pipeline and realised parts of a progress bar."""
    target = figures["target_tonnes"] or 0
    if not target:
        return {"committed": 0, "pipeline": 0, "realised": 0}
    committed = min(100.0, 100 * figures["committed_tonnes"] / target)
    return {
        "committed": round(committed, 1),
        "pipeline": round(min(100.0 - committed, 100 * figures["pipeline_tonnes"] / target), 1),
        "realised": round(min(100.0, 100 * figures["realised_tonnes"] / target), 1),
    }


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def dashboard(request):
    query = _query(request)
    as_of = query.validated_data.get("as_of") if not query.errors else None
    totals = selectors.progress_totals(as_of=as_of)
    breakdown = selectors.measure_type_breakdown(as_of=as_of)
    statuses = dict(ClimatePartnership.Status.choices)
    sectors = [
        {
            "key": key,
            "label": label,
            "fig": totals[key],
            "bar": _bar(totals[key]),
            "statuses": [(status, statuses[status], t) for status, t in totals[key]["by_status"].items()],
        }
        for key, label in Sector.choices
    ]
    return render(
        request,
        "progress/dashboard.html",
        {
            "totals": totals,
            "sectors": sectors,
            "errors": query.errors,
            "as_of": as_of,
            "labels": chart_labels(),
            "breakdown": breakdown,
            "day": formats.date(totals["as_of"]),
        },
    )


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def drill_down(request, kind):
    query = _query(request)
    if kind not in selectors.DRILL_DOWNS:
        return render(request, "progress/rows.html", {"errors": {"kind": [_("Unknown list.")]}}, status=404)
    if query.errors:
        return render(request, "progress/rows.html", {"errors": query.errors, "kind": kind}, status=400)
    accepted = selectors.DRILL_DOWNS[kind][1]
    params = {k: v for k, v in query.validated_data.items() if k in accepted}
    rows = selectors.rows_behind(kind, params)
    columns = list(rows[0]) if rows else []
    total_column = {"measures": "annual_reduction_t", "realised": "realised_t", "funding": "amount_dkk"}.get(kind)
    total = sum(row[total_column] for row in rows) if total_column else None
    titles = column_titles(kind)
    return render(
        request,
        "progress/rows.html",
        {
            "kind": kind,
            "kind_label": kind_labels()[kind],
            "rows": [[cell(kind, c, row[c]) for c in columns] for row in rows],
            "columns": columns,
            "titles": [titles.get(c, c) for c in columns],
            "filters": params,
            "filter_labels": [(titles.get(k, k), cell(kind, k, v)) for k, v in params.items()],
            "total": total,
            "total_text": formats.number(total, 2, trim=True) if total is not None else "",
            "total_column": total_column,
            "count": len(rows),
        },
    )


def kind_labels() -> dict:
    return {
        "measures": _("measures"),
        "partnerships": _("Partnerships signed"),
        "realised": _("Realised"),
        "international": _("International partnerships"),
        "funding": _("External funding"),
    }


def column_titles(kind: str) -> dict:
    """The drill-down's column titles: the report workbook's for that list, and the few only the page shows."""
    measure = Measure._meta
    titles = {
        "id": _("Id"),
        "title": _("Partnership"),
        "sector": _("Sector"),
        "status": _("Status"),
        "bucket": f"{_('Committed')} / {_('Pipeline')}",
        "energy_site_id": str(measure.get_field("energy_site").verbose_name),
        "heat_symbiosis_id": str(measure.get_field("heat_symbiosis").verbose_name),
        "entered_by_id": str(measure.get_field("entered_by").verbose_name),
        "up_to_year": _("Year") + " ≤",
        "as_of": _("As of"),
        "year": _("Year"),
        "signed_on": _("Signed on"),
    }
    own = {
        "measures": workbook.measure_columns,
        "realised": workbook.realised_columns,
        "international": workbook.international_columns,
        "funding": workbook.funding_columns,
    }.get(kind)
    return {**titles, **dict(own() if own else [])}


def _choices(kind: str) -> dict:
    status = InternationalPartnership.Status if kind == "international" else ClimatePartnership.Status
    return {
        "sector": dict(Sector.choices),
        "status": dict(status.choices),
        "measure_type": dict(Measure.MeasureType.choices),
        "method": dict(Measure.Method.choices),
        "bucket": {"committed": _("Committed"), "pipeline": _("Pipeline")},
        "source": dict(ExternalFunding.Source.choices) if kind == "funding" else {},
    }


def cell(kind: str, column: str, value) -> str:
    """A drill-down cell as the language writes it: labels for codes, grouped numbers, dates; years as digits."""
    if value is None:
        return ""
    labels = _choices(kind).get(column)
    if labels and value in labels:
        return str(labels[value])
    if isinstance(value, dt.date):
        return formats.short_date(value)
    if isinstance(value, bool) or column == "id" or column.endswith(("_id", "year")):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return formats.number(value, 2, trim=True)
    return str(value)


class ReportRequest(AsOfSerializer):
    format = serializers.ChoiceField(choices=StatusReport.Format.choices)


def _reports():
    return StatusReport.objects.defer("content").select_related("requested_by")


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def status_reports(request):
    """The report files drawn so far (the half-yearly ones among them); a POST asks a worker for another."""
    errors, status = {}, 200
    if request.method == "POST":
        query = ReportRequest(data=request.POST)
        if query.is_valid():
            wanted = query.validated_data
            try:
                report = tasks.queue_report(
                    wanted["format"], as_of=wanted.get("as_of"), language=get_language(), user=request.user
                )
                return redirect("progress:status_report", pk=report.pk)
            except tasks.TooManyWaiting as refused:
                errors, status = {_("Status reports"): [str(refused)]}, 429
        else:
            errors, status = query.errors, 400
    return render(
        request, "progress/reports.html", {"reports": _reports()[:REPORTS_SHOWN], "errors": errors}, status=status
    )


def _report(pk) -> StatusReport:
    report = get_object_or_404(_reports(), pk=pk)
    if report.lost_by_the_queue():
        report.mark_lost()
    return report


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def status_report(request, pk):
    return render(request, "progress/report.html", {"report": _report(pk)})


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def status_report_status(request, pk):
    report = _report(pk)
    return JsonResponse(
        {
            "status": report.status,
            "status_label": report.get_status_display(),
            "finished": report.is_finished,
            "note": report.interruption_note,
            "error": report.error,
            "file": reverse("progress:status_report_file", args=[report.pk]) if report.status == "ready" else None,
        }
    )


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def status_report_file(request, pk):
    report = get_object_or_404(StatusReport, pk=pk, status=StatusReport.Status.READY)
    response = HttpResponse(bytes(report.content), content_type=report.content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    return response
