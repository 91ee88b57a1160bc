"""Opaque identifiers for URLs and the API: never sequential, so one cannot guess another's."""

import secrets

from django.db import models

_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o/1/l: keys get read aloud and retyped


def new_key(length: int = 12) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


class KeyField(models.CharField):
    """A unique, random, immutable public key (12 characters)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 16)
        kwargs.setdefault("unique", True)
        kwargs.setdefault("default", new_key)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)
