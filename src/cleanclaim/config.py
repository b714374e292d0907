"""Settings, read in one place from ``CLEANCLAIM_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "settings"]


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as ``CLEANCLAIM_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="CLEANCLAIM_", extra="ignore")

    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("cleanclaim", appauthor=False)),
        description="Where the embedded database and reference data live.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; the embedded SQLite file under data_dir when unset.",
    )

    def resolved_database_url(self) -> str:
        """The database to use: the configured URL, else the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'cleanclaim.db'}"


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
