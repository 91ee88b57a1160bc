from django.urls import include, path

from lodestar.customers.views import companies as views

app_name = "customers"
urlpatterns = [
    path("w/<slug:slug>/customers/", views.companies, name="companies"),
    path(
        "w/<slug:slug>/customers/companies/<str:company_key>/",
        views.company_detail,
        name="company",
    ),
    path(
        "w/<slug:slug>/customers/companies/<str:company_key>/delete/",
        views.company_delete,
        name="company_delete",
    ),
    path("w/<slug:slug>/customers/people/", views.people, name="people"),
    path("w/<slug:slug>/customers/people/<str:person_key>/", views.person_detail, name="person"),
    path(
        "w/<slug:slug>/customers/people/<str:person_key>/delete/",
        views.person_delete,
        name="person_delete",
    ),
    path("", include("lodestar.customers.import_urls")),
]
