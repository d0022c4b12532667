"""/api/v1/reports/ (included by caseworker.api_urls)."""

from rest_framework.routers import SimpleRouter

from reports.api.views import ReportViewSet

router = SimpleRouter()
router.register("reports", ReportViewSet, basename="api-report")

urlpatterns = router.urls
