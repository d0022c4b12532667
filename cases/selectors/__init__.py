"""Reads of client data, by subject. Every read goes through `Case.objects.visible_to(user)`.

A record outside the user's reach is a 404 (Http404), never a 403, so its existence
is not revealed. Selectors only read: the audit of a read of a client record is written
by the request layer through `cases.services` (client_read_record, case_read_record).
Callers use `cases.selectors.<name>`; the modules below are the layout, not the API.
"""

from cases.selectors.cases import (
    TimelineItem,
    attachment_get_for_user,
    case_get_for_privileged_work,
    case_get_for_user,
    case_timeline,
    cases_for_list,
    cases_visible,
    deadline_get_for_user,
    deadlines_upcoming,
    notes_visible,
    office_staff,
    privileged_note_count,
    saved_search_get_for_user,
    saved_searches_for,
    search_reveal,
)
from cases.selectors.clients import (
    DuplicateCandidate,
    DuplicateReport,
    client_by_a_number,
    client_cases,
    client_duplicates,
    client_get_for_user,
)
from cases.selectors.events import (
    AgencyCase,
    agency_cases,
    either_agency,
    event_get_for_user,
    events_directory_flagged,
    events_for_list,
    events_to_link,
    events_visible,
)
from cases.selectors.home import FirstRows, home_summary, office_totals

__all__ = [
    "AgencyCase",
    "DuplicateCandidate",
    "DuplicateReport",
    "FirstRows",
    "TimelineItem",
    "agency_cases",
    "attachment_get_for_user",
    "case_get_for_privileged_work",
    "case_get_for_user",
    "case_timeline",
    "cases_for_list",
    "cases_visible",
    "client_by_a_number",
    "client_cases",
    "client_duplicates",
    "client_get_for_user",
    "deadline_get_for_user",
    "deadlines_upcoming",
    "either_agency",
    "event_get_for_user",
    "events_directory_flagged",
    "events_for_list",
    "events_to_link",
    "events_visible",
    "home_summary",
    "notes_visible",
    "office_staff",
    "office_totals",
    "privileged_note_count",
    "saved_search_get_for_user",
    "saved_searches_for",
    "search_reveal",
]
