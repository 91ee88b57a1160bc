"""Page cost does not grow with data: each main page runs the same number of SQL queries on
the small demo (14 extra members, 5 teams, 300 activity entries) as on the large one (600
members, 125 teams, 120,000 entries). A page whose count grows has an N+1 somewhere."""

from __future__ import annotations

import pytest
from benchmarks.pages import (
    OWNER_EMAIL,
    first_team_key,
    main_pages,
    top_company_key,
    top_feature_key,
)
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lodestar.accounts.models import User
from lodestar.demo.build import build_demo


def _query_counts() -> dict[str, int]:
    """Queries per main page (by name), for the owner, on whatever demo is built now.

    Each page is requested once before it is counted, so one-off work (a session's first
    save, per-process caches) counts the same on both demos."""
    client = Client()
    client.force_login(User.objects.get(email=OWNER_EMAIL))
    counts = {}
    for page in main_pages(first_team_key(), top_company_key(), top_feature_key()):
        client.get(page.path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.path)
        assert response.status_code == 200, f"{page.path}: {response.status_code}"
        counts[page.name] = len(queries)
    return counts


@pytest.mark.one_database  # the ORM issues the same queries on both; CI: SQLite only
@pytest.mark.django_db
def test_page_query_count_does_not_grow_with_data():
    # One test builds both demos: each build replaces the previous one, and the large one
    # (~75 s, most of it feedback and events) is the cost worth paying once, not per page.
    build_demo(seed=7, size="small")
    small = _query_counts()
    build_demo(seed=7, size="large")
    large = _query_counts()

    grown = sorted(name for name in small if small[name] != large[name])
    table = "\n".join(f"  {small[n]:>5} {large[n]:>5}  {n}" for n in small)
    assert not grown, f"query count grows with data on {grown}\n  small large  page\n{table}"
