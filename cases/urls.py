from django.urls import path

from cases.views import case, clients, deadlines, events, files, intake, search

app_name = "cases"

urlpatterns: list = []

# Search, lists, exports, patterns, saved searches, scope queue (issue 5).
urlpatterns += [
    path("", search.case_list, name="list"),
    path("events/", search.event_list, name="events"),
    path("export/<slug:fmt>/", search.case_export, name="export"),
    path("events/export/<slug:fmt>/", search.event_export, name="events-export"),
    path("patterns/", search.pattern_view, name="patterns"),
    path("saved-searches/", search.saved_searches, name="saved-searches"),
    path(
        "saved-searches/<uuid:public_id>/delete/",
        search.saved_search_delete,
        name="saved-search-delete",
    ),
    path("scope-review/", search.scope_queue, name="scope-queue"),
    path(
        "scope-review/<uuid:public_id>/reviewed/",
        search.scope_reviewed,
        name="scope-reviewed",
    ),
    path("agency-picker/", search.agency_picker, name="agency-picker"),
]

# Caseworker workflow (issue 4): intake, case page, events, clients, deadlines, files.
urlpatterns += [
    path("intake/", intake.intake, name="intake"),
    path("intake/duplicates/", intake.duplicates, name="intake-duplicates"),
    path("<uuid:public_id>/", case.case_detail, name="detail"),
    path("<uuid:public_id>/status/", case.case_status, name="status"),
    path("<uuid:public_id>/assign/", case.case_assign, name="assign"),
    path("<uuid:public_id>/hold/", case.case_hold, name="hold"),
    path("<uuid:public_id>/notes/", case.note_create, name="note-add"),
    path("<uuid:public_id>/deadlines/", case.deadline_create, name="deadline-add"),
    path("<uuid:public_id>/attachments/", files.attachment_upload, name="attachment-add"),
    path("<uuid:public_id>/events/new/", events.event_create, name="event-new"),
    path("events/<uuid:public_id>/", events.event_detail, name="event"),
    path("events/<uuid:public_id>/edit/", events.event_edit, name="event-edit"),
    path("events/<uuid:public_id>/link/", events.event_link, name="event-link"),
    path("to-link/", events.to_link, name="to-link"),
    path("directory-changed/", events.directory_queue, name="directory-queue"),
    path(
        "directory-changed/<uuid:public_id>/",
        events.directory_decide,
        name="directory-decide",
    ),
    path("agency-autocomplete/", events.agency_autocomplete, name="agency-autocomplete"),
    path("agency-standing/", events.agency_standing, name="agency-standing"),
    path("clients/<uuid:public_id>/", clients.client_detail, name="client"),
    path("clients/<uuid:public_id>/edit/", clients.client_edit, name="client-edit"),
    path("clients/<uuid:public_id>/reveal/", clients.client_reveal, name="client-reveal"),
    path("deadlines/", deadlines.deadline_list, name="deadlines"),
    path("deadlines/<uuid:public_id>/done/", deadlines.deadline_done, name="deadline-done"),
    path(
        "attachments/<uuid:public_id>/download/",
        files.attachment_download,
        name="attachment-download",
    ),
]
