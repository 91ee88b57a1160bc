"""Lodestar: a self-hosted workspace for the whole product loop."""

__version__ = "0.1.0"
