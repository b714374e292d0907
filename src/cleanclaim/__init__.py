"""cleanclaim: stop claim denials before they happen and resolve the ones that still do."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cleanclaim")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
