from django.db import models


class RateCounter(models.Model):
    """One rate-limit window's count for one scope and client (see core.ratelimit)."""

    key = models.CharField(max_length=255, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}={self.count}"
