"""The dashboard (front page for signed-in users), the drill-down tables and the report downloads."""

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from access.roles import ROLES
from partnerships.models import ClimatePartnership, Measure, Sector

from . import reports, selectors
from .api import DrillDownSerializer

VIEW_PERMISSION = "partnerships.view_measure"


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
        "tonnes": _("t CO2e/yr"),
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
    return render(
        request,
        "progress/rows.html",
        {
            "kind": kind,
            "rows": [[row[c] for c in columns] for row in rows],
            "columns": columns,
            "filters": params,
            "total": total,
            "total_column": total_column,
            "count": len(rows),
        },
    )


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def status_report(request, fmt):
    query = _query(request)
    if query.errors:
        return HttpResponse(str(query.errors), status=400, content_type="text/plain; charset=utf-8")
    try:
        report = reports.build(fmt, as_of=query.validated_data.get("as_of"))
    except reports.UnknownFormat:
        raise Http404(_("Unknown report format."))
    response = HttpResponse(report.content, content_type=report.content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    return response
