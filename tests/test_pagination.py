"""Keyset pagination walks every row exactly once, in order, whatever the page size."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lodestar.core.errors import Invalid
from lodestar.core.pagination import paginate
from lodestar.workspaces.models import Team
from tests.factories import TeamFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def _walk(queryset, **kwargs) -> list[int]:
    seen, cursor = [], None
    while True:
        page = paginate(queryset, cursor=cursor, **kwargs)
        seen += [row.pk for row in page.items]
        if page.next is None:
            return seen
        cursor = page.next


@settings(max_examples=15, deadline=None, derandomize=True)
@given(
    capacities=st.lists(st.integers(0, 5), min_size=0, max_size=23),
    limit=st.integers(1, 7),
    order=st.sampled_from(["capacity_points", "-capacity_points", "name", None]),
    count=st.booleans(),
)
def test_pages_cover_every_row_once_in_order(capacities, limit, order, count):
    workspace = WorkspaceFactory()
    for capacity in capacities:
        TeamFactory(workspace=workspace, capacity_points=capacity)
    queryset = Team.objects.filter(workspace=workspace)
    expected = [
        t.pk
        for t in queryset.order_by(
            *([order] if order else []), "-pk" if order and order[0] == "-" else "pk"
        )
    ]
    assert _walk(queryset, limit=limit, order_by=order, count=count) == expected
    first = paginate(queryset, limit=limit, order_by=order, count=count)
    assert first.count == (len(capacities) if count else None)
    Team.objects.filter(workspace=workspace).delete()


@pytest.mark.parametrize("cursor", ["!!!", "bm90IGpzb24", "WzFd", "WyJhIiwiYiJd"])
def test_bad_cursors_are_400(cursor):
    with pytest.raises(Invalid):
        paginate(Team.objects.all(), cursor=cursor, order_by="name")
