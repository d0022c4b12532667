from django.urls import path

from agencies import views

app_name = "agencies"

urlpatterns = [
    path("", views.agency_list, name="list"),
    path("<uuid:public_id>/", views.agency_detail, name="detail"),
    path("export.csv", views.directory_export_download, name="export"),
    path("history.csv", views.directory_history_download, name="history"),
    path("imports/", views.import_list, name="imports"),
    path("imports/upload/", views.import_upload, name="import-upload"),
    path("imports/<uuid:public_id>/", views.import_detail, name="import-detail"),
]
