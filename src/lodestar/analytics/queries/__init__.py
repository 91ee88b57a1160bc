"""Insights over the event store. Each module takes a `Source` (queries/base.py) so the same
query runs on DuckDB and on ClickHouse and returns the same numbers."""
