from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.notice, name="notice"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/export/", views.export_request, name="export_request"),
    path("my-data/export/<str:token>/", views.export_download, name="export_download"),
    path("register/", views.processing_register, name="register"),
]
