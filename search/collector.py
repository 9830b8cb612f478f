"""Pausing Python's cyclic garbage collector around bulk work that makes many objects and no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a block that makes many objects and no cycles.

    A full rebuild builds documents (trees of dicts and lists) and their index entries (sets of
    words): the collector's passes over them find nothing to free, yet took a third of the
    rebuild. Whatever the block leaves is looked at by the next pass after it. A collector
    someone else turned off stays off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
