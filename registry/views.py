from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .heat_opportunities import ORDERINGS, Assumptions, opportunities, propose_symbiosis
from .models import HeatSymbiosis


@login_required
@permission_required("registry.view_heatsource", raise_exception=True)
def heat_opportunities(request):
    """The ranked surplus-heat candidates, filtered like the API, with a one-step proposal for editors."""
    from rest_framework.exceptions import ValidationError

    from .api.heat import OpportunityQuery

    try:
        filters, assumptions, ordering = OpportunityQuery.parse(request.GET)
        rows, errors = opportunities(filters, assumptions, ordering), {}
    except ValidationError as error:
        rows, errors = [], OpportunityQuery.labelled(error.detail)
        assumptions, ordering = Assumptions(), "rank"
    query = request.GET.urlencode()
    return render(
        request,
        "registry/heat_opportunities.html",
        {
            "rows": rows,
            "errors": errors,
            "assumptions": assumptions,
            "params": request.GET,
            "query": query,
            "orderings": ORDERINGS,
            "network_kinds": HeatSymbiosis.NetworkKind.choices,
            "can_propose": request.user.has_perm("registry.add_heatsymbiosis"),
            "totals": {
                "heat": sum(r["heat_delivered_mwh_per_yr"] for r in rows),
                "co2e": sum(r["co2e_displaced_t_per_yr"] for r in rows),
                "cost": sum(r["pipe_cost_dkk"] for r in rows),
            },
        },
    )


@require_POST
@login_required
@permission_required("registry.add_heatsymbiosis", raise_exception=True)
def propose_heat_symbiosis(request, source_id):
    from rest_framework.exceptions import ValidationError as ApiValidationError

    from .api.heat import OpportunityQuery

    try:
        _filters, assumptions, _ordering = OpportunityQuery.parse(request.POST)
        symbiosis = propose_symbiosis(source_id, request.user, assumptions)
    except (ValidationError, ApiValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", None) or [str(error.detail)]))
        return redirect(f"{reverse('heat-opportunities')}?{request.POST.get('back', '')}")
    messages.success(request, _("Proposed: %(name)s. Check and complete the record.") % {"name": symbiosis.name})
    return redirect("admin:registry_heatsymbiosis_change", symbiosis.pk)
