"""Canonical batches as CSV or Parquet files: one file per table, named after the table."""

from .files import BatchFormat, find_batches, read_batch_files, write_batch_files

__all__ = ["BatchFormat", "find_batches", "read_batch_files", "write_batch_files"]
