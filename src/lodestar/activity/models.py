from django.conf import settings
from django.db import models
from django.utils import timezone


class Entry(models.Model):
    """One write a person made: who, when, what, and which fields changed (old -> new)."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="activity"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=160, blank=True)  # survives the user's deletion
    verb = models.CharField(max_length=40)  # created, updated, deleted, invited, ...
    target_type = models.CharField(max_length=40)  # product, team, member, ...
    target_key = models.CharField(max_length=40, blank=True)
    target_label = models.CharField(max_length=200)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name_plural = "entries"
        indexes = [models.Index(fields=["workspace", "-id"], name="activity_ws_recent")]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.verb} {self.target_type} {self.target_label}"
