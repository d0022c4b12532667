"""Reads of client data: which URLs show it, and the one writer for lists and denials.

Every URL name of the site is in exactly one of the sets below (a test walks the URLconf,
so a new page fails until it is placed):

- LISTS: pages and API lists showing several records. `ReadAuditMiddleware` writes one
  entry per response: the filter used, the number of rows and the ids shown. API lists
  need nothing more; a page's view passes what it shows with `audit_shown(request, rows)`.
- AUDITED_BY_VIEW: detail pages, reveals, exports and downloads, audited by their
  selectors and services (`audit_record`), where the read is a deliberate act.
- NO_CLIENT_DATA: pages that show no client's data.

Any request an authenticated user makes for an id they may not see (a 404 on a URL
with an id) is recorded as DENIED, so probing another office's ids is visible.
"""

from __future__ import annotations

from collections.abc import Iterable

from audit.models import AuditAction, AuditEntry

LISTS = {
    "home": "cases.Case",
    "cases:list": "cases.Case",
    "cases:events": "cases.DetentionEvent",
    "cases:deadlines": "cases.Deadline",
    "cases:patterns": "cases.DetentionEvent",
    "cases:scope-queue": "cases.DetentionEvent",
    "cases:to-link": "cases.DetentionEvent",
    "cases:directory-queue": "cases.DetentionEvent",
    "cases:intake-duplicates": "cases.Client",
    "api-client-list": "cases.Client",
    "api-case-list": "cases.Case",
    "api-event-list": "cases.DetentionEvent",
    "api-case-deadlines": "cases.Deadline",
}
AUDITED_BY_VIEW = {
    "cases:detail",
    "cases:event",
    "cases:event-edit",
    "cases:client",
    "cases:client-edit",
    "cases:client-reveal",
    "cases:export",
    "cases:events-export",
    "cases:attachment-download",
    "reports:download",
    "api-client-detail",
    "api-client-reveal-a-number",
    "api-case-detail",
    "api-event-detail",
    "api-case-notes",
    "api-case-note",
    "api-report-download",
    "audit:list",  # the audit trail itself: its CSV export is audited
}
NO_CLIENT_DATA = {
    "healthz",
    "login",
    "logout",
    "profile",
    "token-create",
    "token-revoke",
    "two-factor",
    "recovery-codes-replace",
    "logout-everywhere",
    "password_change",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "notifications",
    "notifications-read",
    # writes: each change is audited by its service; a form page shows the case number
    # and the reader already opened the case page to get there
    "cases:status",
    "cases:assign",
    "cases:note-add",
    "cases:deadline-add",
    "cases:attachment-add",
    "cases:event-new",
    "cases:event-link",
    "cases:deadline-done",
    "cases:intake",
    "cases:saved-searches",
    "cases:saved-search-delete",
    "cases:scope-reviewed",
    "cases:directory-decide",
    "cases:hold",
    # the agency directory and imports: public 287(g) data, no clients
    "cases:agency-picker",
    "cases:agency-autocomplete",
    "cases:agency-standing",
    "agencies:list",
    "agencies:detail",
    "agencies:export",
    "agencies:history",
    "agencies:imports",
    "agencies:import-upload",
    "agencies:import-detail",
    "api-agency-list",
    "api-agency-detail",
    "api-agreement-list",
    "api-agreement-detail",
    "api-import-list",
    "api-import-detail",
    # reports are listed by title and status; their files are audited downloads
    "reports:list",
    "reports:create",
    "reports:rerun",
    "api-report-rerun",
    "api-root",
    "api-report-list",
    "api-report-detail",
    "api-case-assign",
    "api-case-set-status",
    "api-saved-search-list",
    "api-saved-search-detail",
    "api-schema",
    "api-docs",
    "api-token",
    "api-not-found",
}
# The admin site shows staff accounts and offices only (no client model is registered).
NO_CLIENT_DATA_NAMESPACES = {"admin"}

MAX_IDS = 500
ID_KWARGS = ("public_id", "id", "case_id")


def audit_shown(request, rows: Iterable, *, count: int | None = None) -> None:
    """Called by a list page's view with the rows it shows (and the total matching, if
    it counts them); the middleware writes the entry once the response is made."""
    request.audit_shown = ([str(row.public_id) for row in rows], count)


def _ids_from_api(data) -> list[str] | None:
    results = data.get("results") if isinstance(data, dict) else data
    if not isinstance(results, list):
        return None
    return [str(item["id"]) for item in results if isinstance(item, dict) and "id" in item]


def audit_list_read(request, response, url_name: str) -> AuditEntry:
    """One entry for one list response: filter, rows shown, their ids."""
    shown = getattr(request, "audit_shown", None)
    ids, count = shown if shown is not None else (None, None)
    if ids is None:
        ids = _ids_from_api(getattr(response, "data", None)) or []
    filters = {key: request.GET.getlist(key) for key in request.GET if key != "csrfmiddlewaretoken"}
    changes = {"url": url_name, "filters": filters, "shown": len(ids), "ids": ids[:MAX_IDS]}
    if count is not None:
        changes["matching"] = count
    return AuditEntry.objects.create(
        actor=request.user,
        action=AuditAction.VIEW,
        target_type=LISTS[url_name],
        target_id="list",
        summary=f"Listed {len(ids)} ({url_name}) {request.get_full_path()}"[:300],
        changes=changes,
        ip=request.META.get("REMOTE_ADDR"),
    )


def audit_denied(request, url_name: str, object_id: str) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=request.user,
        action=AuditAction.DENIED,
        target_type=url_name[:60],
        target_id=object_id[:64],
        summary=f"Not found or not theirs: {request.method} {request.path}"[:300],
        ip=request.META.get("REMOTE_ADDR"),
    )
