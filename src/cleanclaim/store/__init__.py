"""Storage: SQLAlchemy tables derived from the canonical model, migrations, bulk load, read."""

from .engine import current_revision, head_revision, make_engine, migrate
from .load import LoadResult, batch_checksum, load_batch
from .read import count_records, read_batch
from .tables import STORED_RECORDS, metadata

__all__ = [
    "STORED_RECORDS",
    "LoadResult",
    "batch_checksum",
    "count_records",
    "current_revision",
    "head_revision",
    "load_batch",
    "make_engine",
    "metadata",
    "migrate",
    "read_batch",
]
