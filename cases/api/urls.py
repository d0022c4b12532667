"""/api/v1/ routes of the cases app (included by caseworker.api_urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from cases.api import views

router = SimpleRouter()
router.register("clients", views.ClientViewSet, basename="api-client")
router.register("cases", views.CaseViewSet, basename="api-case")
router.register("events", views.DetentionEventViewSet, basename="api-event")
router.register("saved-searches", views.SavedSearchViewSet, basename="api-saved-search")

urlpatterns = [
    path(
        "cases/<uuid:case_id>/notes/",
        views.NoteViewSet.as_view({"get": "list", "post": "create"}),
        name="api-case-notes",
    ),
    path(
        "cases/<uuid:case_id>/notes/<uuid:id>/",
        views.NoteViewSet.as_view({"get": "retrieve"}),
        name="api-case-note",
    ),
    path(
        "cases/<uuid:case_id>/deadlines/",
        views.DeadlineViewSet.as_view({"get": "list", "post": "create"}),
        name="api-case-deadlines",
    ),
    *router.urls,
]
