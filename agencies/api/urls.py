"""/api/v1/ routes of the agencies app (included by caseworker.api_urls)."""

from rest_framework.routers import SimpleRouter

from agencies.api import views

router = SimpleRouter()
router.register("agencies", views.AgencyViewSet, basename="api-agency")
router.register("agreements", views.AgreementViewSet, basename="api-agreement")
router.register("imports", views.ImportViewSet, basename="api-import")

urlpatterns = router.urls
