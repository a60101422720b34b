"""Where every computation goes through: resolves the scheduler, threads, memory limit and
active diagnostics from arguments and ``tessera.config``, then calls the Rust core."""

from __future__ import annotations

import numbers

from . import _core, config


def is_mpi(scheduler=None) -> bool:
    s = config.get("scheduler") if scheduler is None else scheduler
    return isinstance(s, str) and s.lower() == "mpi"


def run(core_arrays, scheduler=None, num_workers=None, optimize_graph=True, _progress=None,
        persist=False, root_only=None, memory_limit=None, **scheduler_kwargs):
    """Computes (or persists) core arrays; a list of NumPy results (or core arrays).
    Other keywords (Dask passes them to its scheduler, e.g. ``pool=``) are accepted and
    ignored."""
    from . import diagnostics

    threads = config.compute_threads(scheduler, num_workers)
    mpi = is_mpi(scheduler)
    if memory_limit is None:
        memory_limit = config.get("memory_limit", None)
    memory_limit = _memory_limit(memory_limit)
    if root_only is None:
        root_only = bool(config.get("mpi.root_only", False))
    # Persisted blocks stay on every rank (later computes over them run everywhere).
    progress = diagnostics._progress_callback(_progress)
    profilers = diagnostics._active_profilers()
    return _core.compute(list(core_arrays), threads, optimize_graph, progress, memory_limit=memory_limit,
                         mpi=mpi, root_only=root_only and mpi and not persist, persist=persist, profilers=profilers or None)


def _memory_limit(v):
    """``memory_limit`` for the core: None, a byte count (0: no limit; larger than any
    machine: no limit either) or a size string the core parses."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise TypeError(f"compute: memory_limit must be a number of bytes (an int) or a string such as '2GiB', got {v!r}")
    if v < 0:
        raise ValueError(f"compute: memory_limit must be non-negative, got {v}")
    return min(int(v), 2**62)
