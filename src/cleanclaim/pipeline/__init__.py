"""Pipelines that compose the layers below: the demo today, batch runs as they land."""

from .demo import PENDING_STAGES, STAGES, run_demo

__all__ = ["PENDING_STAGES", "STAGES", "run_demo"]
