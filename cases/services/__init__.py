"""Writes for clients, cases and detention events. Every write is validated and audited.

Forms, API serializers, imports and seed_demo all call these functions (as
`cases.services.<name>`); none of them saves a case model directly.
"""

from cases.services.cases import (
    case_assign,
    case_open,
    case_set_status,
    intake_record,
    intake_validate,
)
from cases.services.clients import (
    CLIENT_FIELDS,
    client_create,
    client_fill_blanks,
    client_update,
    client_validate,
)
from cases.services.events import (
    EVENT_FIELDS,
    detention_log,
    detention_scope_flags,
    detention_scope_review,
    detention_snapshot_fill,
    detention_update,
    detention_validate,
    event_directory_decide,
    events_directory_recheck,
)
from cases.services.reads import case_read_record, client_read_record, client_reveal_a_number
from cases.services.records import (
    attachment_add,
    deadline_add,
    deadline_set_done,
    note_add,
)
from cases.services.retention import (
    legal_hold_lift,
    legal_hold_set,
    retention_due,
    retention_run,
)
from cases.services.searches import (
    saved_search_create,
    saved_search_delete,
    saved_search_update,
    search_stash,
)

__all__ = [
    "CLIENT_FIELDS",
    "EVENT_FIELDS",
    "attachment_add",
    "case_assign",
    "case_open",
    "case_read_record",
    "case_set_status",
    "client_create",
    "client_fill_blanks",
    "client_read_record",
    "client_reveal_a_number",
    "client_update",
    "client_validate",
    "deadline_add",
    "deadline_set_done",
    "detention_log",
    "detention_scope_review",
    "detention_scope_flags",
    "detention_snapshot_fill",
    "detention_update",
    "detention_validate",
    "event_directory_decide",
    "events_directory_recheck",
    "intake_record",
    "intake_validate",
    "legal_hold_lift",
    "legal_hold_set",
    "note_add",
    "retention_due",
    "retention_run",
    "saved_search_create",
    "saved_search_delete",
    "saved_search_update",
    "search_stash",
]
