"""Attachments: upload on the case page, download only through this access-checked view.

Files live under MEDIA_ROOT, which no URL serves. A download is audited, sent as an
attachment (never rendered inline), with the sniffed type, nosniff, and a sandboxing
Content-Security-Policy in case a browser renders it anyway.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from audit.models import AuditAction
from audit.services import audit_record
from cases import selectors, services
from cases.forms import AttachmentForm, add_service_errors
from cases.views.case import _case_for_page, _writable_case, render_case
from caseworker.lib.web import client_ip, login_required


@login_required
@require_POST
def attachment_upload(request, public_id):
    case = _writable_case(request, public_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.attachment_add(
                actor=request.user,
                case=case,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            add_service_errors(exc, {"": form})
        else:
            messages.success(request, f"Attached {attachment.original_name}.")
            return redirect("cases:detail", case.public_id)
    return render_case(
        request, _case_for_page(request, public_id), status=400, attachment_form=form
    )


@login_required
@require_GET
def attachment_download(request, public_id):
    attachment = selectors.attachment_get_for_user(user=request.user, public_id=public_id)
    if not attachment.file:
        raise Http404("This file was removed under the retention policy")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage") from None
    audit_record(
        actor=request.user,
        action=AuditAction.DOWNLOAD,
        target=attachment,
        case_id=attachment.case_id,
        summary=f"Attachment downloaded: {attachment.original_name}",
        ip=client_ip(request),
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
