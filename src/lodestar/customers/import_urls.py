"""URLs of the CSV import pages (filled in by the import work)."""

urlpatterns: list = []
