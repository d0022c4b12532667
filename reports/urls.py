from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("request/<slug:kind>/", views.report_create, name="create"),
    path("<uuid:public_id>/rerun/", views.report_rerun_view, name="rerun"),
    path("<uuid:public_id>/download/<slug:fmt>/", views.report_file, name="download"),
]
