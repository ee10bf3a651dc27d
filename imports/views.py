"""The upload page: check a file (a dry run), read the report, then import it all or its valid rows."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from .columns import parse_mapping
from .errors import FileRefused
from .forms import UploadForm
from .models import ImportRun
from .report import report_headers, write_report
from .service import ImportOptions, start_run
from .tasks import queue_import
from .uploads import LimitedUploadHandler, keep_upload

RUN_PERMISSION = "imports.run_import"
REPORT_ROWS_SHOWN = 500


@login_required
@permission_required(RUN_PERMISSION, raise_exception=True)
@csrf_exempt  # only so the upload handler can be swapped before the body is read; checked just below
def upload(request):
    request.upload_handlers = [LimitedUploadHandler(request)]
    return _upload(request)


@csrf_protect
def _upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    error = ""
    if request.method == "POST":
        if getattr(request, "upload_too_large", False):
            error = _("The file is larger than the limit of %(limit)s MB.") % {"limit": settings.IMPORT_MAX_MB}
        elif form.is_valid():
            try:
                uploaded_mapping = form.cleaned_data["mapping"]
                mapping = parse_mapping(uploaded_mapping.read()) if uploaded_mapping else {}
                stored = keep_upload(form.cleaned_data["file"])
                options = ImportOptions(
                    kind=form.cleaned_data["kind"],
                    layer=form.cleaned_data["layer"],
                    crs=form.cleaned_data["crs"],
                    mapping=mapping,
                    dry_run=True,
                    number_locale=form.cleaned_data["number_locale"],
                )
                run = start_run(
                    stored,
                    form.cleaned_data["file"].name,
                    options,
                    request.user,
                    stored_file=str(stored.relative_to(settings.IMPORT_ROOT)),
                )
                queue_import(run)
                return redirect("imports:detail", pk=run.pk)
            except FileRefused as refused:
                error = str(refused)
    runs = ImportRun.objects.select_related("created_by")[:20]
    return render(
        request, "imports/upload.html", {"form": form, "error": error, "runs": runs, "limit_mb": settings.IMPORT_MAX_MB}
    )


def _run_for(request, pk) -> ImportRun:
    run = get_object_or_404(ImportRun.objects.select_related("created_by"), pk=pk)
    if run.looks_abandoned() or run.lost_by_the_queue():
        run.mark_lost()
    return run


@login_required
@permission_required(RUN_PERMISSION, raise_exception=True)
def detail(request, pk):
    run = _run_for(request, pk)
    return render(
        request,
        "imports/detail.html",
        {
            "run": run,
            "rejections": run.rejections[:REPORT_ROWS_SHOWN],
            "headers": report_headers(),
            "more": max(0, len(run.rejections) - REPORT_ROWS_SHOWN),
        },
    )


@login_required
@permission_required(RUN_PERMISSION, raise_exception=True)
def status(request, pk):
    run = _run_for(request, pk)
    return JsonResponse(
        {
            "status": run.status,
            "status_label": run.get_status_display(),
            "phase": run.phase,
            "rows_done": run.rows_done,
            "rows_total": run.rows_total,
            "finished": run.is_finished,
            "note": run.interruption_note,
        }
    )


@login_required
@permission_required(RUN_PERMISSION, raise_exception=True)
def report_csv(request, pk):
    run = _run_for(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-rejected-rows.csv"'
    write_report(run, response)
    return response


@login_required
@permission_required(RUN_PERMISSION, raise_exception=True)
@require_POST
def apply(request, pk):
    checked = _run_for(request, pk)
    if not checked.can_apply:
        raise PermissionDenied
    stored = Path(settings.IMPORT_ROOT) / checked.stored_file
    options = ImportOptions(
        kind=checked.kind,
        layer=checked.options.get("layer", ""),
        crs=checked.options.get("crs", ""),
        mapping=checked.options.get("mapping", {}),
        number_locale=checked.options.get("number_locale", ""),
        valid_rows_only=request.POST.get("valid_rows_only") == "1",
    )
    run = start_run(stored, checked.file_name, options, request.user, stored_file=checked.stored_file)
    queue_import(run)
    return redirect("imports:detail", pk=run.pk)
