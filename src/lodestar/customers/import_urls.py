"""URLs of the CSV import pages (included by customers/urls.py, namespace `customers`)."""

from django.urls import path

from lodestar.customers.views import imports

urlpatterns = [
    path("w/<slug:slug>/customers/import/", imports.import_upload, name="import"),
    path(
        "w/<slug:slug>/customers/import/<str:import_key>/",
        imports.import_mapping,
        name="import_mapping",
    ),
    path(
        "w/<slug:slug>/customers/import/<str:import_key>/done/",
        imports.import_done,
        name="import_done",
    ),
]
