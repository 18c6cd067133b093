"""Pages of the claim cycle: the finance system file of a payment batch, for the
commissioner's staff (as the batch's other files are). Thin: the batch is loaded through
pcn_admin.access (403 without MANAGE_BATCHES, 404 outside the user's area)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pcn_admin import access

from . import finance_file


@never_cache
@login_required
@require_GET
@access.loads(access.Permission.MANAGE_BATCHES, access.visible_batches, field="reference")
def finance_system_file(request, batch):
    """The batch's payment file in the layout the commissioner's finance system loads."""
    if not finance_file.is_ready(batch):
        messages.error(
            request,
            f"{batch.reference} is a draft: its lines and amounts may still change, so there "
            "is no finance system file yet. Finalise the batch first.",
        )
        return redirect("reimbursement:batch_detail", batch.reference)
    export = finance_file.finance_file(batch)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
