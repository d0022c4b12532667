"""Report file downloads shared by the pages and the API (neither imports the other)."""

from __future__ import annotations

from django.http import FileResponse, Http404

from caseworker.lib.web import client_ip, private
from reports.services import report_download


def report_file_response(*, request, report, fmt: str) -> FileResponse:
    """One of a report's files as a private, audited download (pages and API alike)."""
    field, content_type = report_download(
        actor=request.user, report=report, fmt=fmt, ip=client_ip(request)
    )
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage") from None
    extension = "zip" if fmt == "csv" else fmt
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{report.title[:80]}.{extension}".replace("/", "-"),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return private(response)
