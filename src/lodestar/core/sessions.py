"""Database sessions that refuse malformed session keys before querying.

Django's keys are 32 lower-case letters and digits; a cookie holding anything else (a NUL
byte, which PostgreSQL cannot even compare) is treated as no session rather than a 500.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        valid = super()._validate_session_key(key)  # type: ignore[misc]
        return bool(valid and key and key.isascii() and key.isalnum())
