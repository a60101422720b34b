"""Where every computation goes through: resolves the scheduler, threads, memory limit and
active diagnostics from arguments and ``tessera.config``, then calls the Rust core."""

from __future__ import annotations


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
    memory_limit = config.compute_memory_limit(memory_limit)
    if root_only is None:
        root_only = bool(config.get("mpi.root_only", False))
    # Persisted blocks stay on every rank (later computes over them run everywhere).
    progress = diagnostics._progress_callback(_progress)
    profilers = diagnostics._active_profilers()
    return _core.compute(list(core_arrays), threads, bool(optimize_graph), progress, memory_limit=memory_limit,
                         mpi=mpi, root_only=root_only and mpi and not persist, persist=persist, profilers=profilers or None)

