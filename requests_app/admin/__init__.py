"""The back office of applications: the catalogue (`catalogue`) and the queue (`queue`)."""

from . import catalogue, queue

__all__ = ["catalogue", "queue"]
