from __future__ import annotations

from django.db.models import QuerySet

from lodestar.activity.models import Entry


def activity_list(*, workspace) -> QuerySet[Entry]:
    return Entry.objects.filter(workspace=workspace).select_related("actor")
