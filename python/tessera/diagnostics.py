"""Watching computations, as ``dask.diagnostics`` does: ``ProgressBar``, ``Profiler``,
``ResourceProfiler``. They record every computation run while their ``with`` block is open;
none needs anything beyond tessera (the profile page is one self-contained HTML file)."""

from __future__ import annotations

import math
import numbers
import sys
import threading
import time
from collections import namedtuple

from . import _core

__all__ = ["ProgressBar", "Profiler", "ResourceProfiler", "TaskData", "ResourceData", "visualize"]

_lock = threading.Lock()
_progress_bars: list = []
_profilers: list = []

#: One task as the profiler saw it (times in seconds on the profiler's clock).
TaskData = namedtuple("TaskData", ["key", "name", "stage", "block", "worker_id", "start_time", "end_time", "nbytes"])
#: One memory/CPU sample.
ResourceData = namedtuple("ResourceData", ["time", "mem", "cpu"])


def _progress_callback(explicit):
    """The callback to give the core: the explicit one and every open ProgressBar."""
    with _lock:
        bars = list(_progress_bars)
    if not bars:
        return explicit
    for b in bars:
        b._start_compute()

    def callback(done, total):
        if explicit is not None:
            explicit(done, total)
        for b in bars:
            b._update(done, total)

    return callback


def _active_profilers():
    with _lock:
        return [p._core for p in _profilers]


def _format_time(t):
    if t < 60:
        return f"{t:5.2f} s"
    if t < 3600:
        return f"{int(t // 60)}min {t % 60:4.1f}s"
    return f"{int(t // 3600)}hr {int((t % 3600) // 60)}min"


def _seconds(v, what, zero_ok=False, op="ProgressBar"):
    """A time in seconds: a real number, positive (or zero when ``zero_ok``), below 2**64."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{op}: {what} must be a number of seconds, got {v!r}")
    if not (math.isfinite(v) and (v >= 0 if zero_ok else v > 0) and v < 2**64):
        raise ValueError(f"{op}: {what} must be a {'non-negative' if zero_ok else 'positive'}, finite number of "
                         f"seconds, got {v!r}")
    return float(v)


class ProgressBar:
    """``with ProgressBar(): x.compute()`` prints ``[####  ] | 60% Completed |  1.2 s``,
    updated in place (also in Jupyter), ending at 100%."""

    def __init__(self, minimum=0, width=40, dt=0.1, out=None):
        self._minimum = _seconds(minimum, "minimum", zero_ok=True)
        if isinstance(width, bool) or not isinstance(width, numbers.Integral) or not 1 <= width <= 10_000:
            kind = ValueError if isinstance(width, numbers.Integral) and not isinstance(width, bool) else TypeError
            raise kind(f"ProgressBar: width must be an integer from 1 to 10000 characters, got {width!r}")
        self._width = int(width)
        self._dt = _seconds(dt, "dt")
        if out is not None and not callable(getattr(out, "write", None)):
            raise TypeError(f"ProgressBar: out must be a file-like object with a write method (or None for stdout), "
                            f"got {out!r}")
        self._file = out
        self._started = None
        self._shown = False

    def __enter__(self):
        with _lock:
            _progress_bars.append(self)
        return self

    def __exit__(self, *exc):
        with _lock:
            if self in _progress_bars:
                _progress_bars.remove(self)
        return False

    def register(self):
        self.__enter__()

    def unregister(self):
        self.__exit__()

    def _start_compute(self):
        self._started = time.perf_counter()
        self._shown = False

    def _update(self, done, total):
        elapsed = time.perf_counter() - (self._started or time.perf_counter())
        if elapsed < self._minimum and done < total:
            return
        frac = 1.0 if total == 0 else done / total
        bar = "#" * int(self._width * frac)
        line = f"\r[{bar:<{self._width}}] | {int(frac * 100):3d}% Completed | {_format_time(elapsed)}"
        f = self._file if self._file is not None else sys.stdout
        f.write(line + ("\n" if done >= total else ""))
        f.flush()
        self._shown = True


class Profiler:
    """``with Profiler() as prof: x.compute()`` records every task: ``prof.results`` is a
    list of ``TaskData``; ``prof.visualize("profile.html")`` writes the task-stream page;
    ``prof.to_chrome_trace(path)`` writes JSON that Perfetto opens."""

    def __init__(self):
        self._core = _core.Profiler()
        self._resources = None

    def __enter__(self):
        with _lock:
            _profilers.append(self)
        return self

    def __exit__(self, *exc):
        with _lock:
            if self in _profilers:
                _profilers.remove(self)
        return False

    def register(self):
        self.__enter__()

    def unregister(self):
        self.__exit__()

    def clear(self):
        self._core = _core.Profiler()

    @property
    def results(self):
        return [TaskData((name, *_unravel(block)), name, stage, block, thread, start, end, nbytes)
                for name, stage, block, thread, start, end, nbytes in self._core.results()]

    def to_chrome_trace(self, path):
        with open(path, "w") as f:
            f.write(self._core.chrome_trace())
        return path

    def visualize(self, filename="profile.html", resources=None, title="tessera profile", show=False, **kwargs):
        """Writes the profile page; ``resources``: a ResourceProfiler to show beside it."""
        res = resources._core if resources is not None else None
        html = _core.profile_html(self._core, res, title)
        with open(filename, "w") as f:
            f.write(html)
        return filename


def _unravel(block):
    return (block,)


class ResourceProfiler:
    """``with ResourceProfiler(dt=0.1) as rprof: ...`` samples the process's memory (RSS)
    and CPU use; ``rprof.results`` is a list of ``ResourceData``."""

    def __init__(self, dt=0.1):
        self._dt = _seconds(dt, "dt", op="ResourceProfiler")
        self._core = None
        self._results = []

    def __enter__(self):
        self._core = _core.ResourceProfiler(self._dt)
        return self

    def __exit__(self, *exc):
        if self._core is not None:
            self._core.stop()
            self._results = [ResourceData(t, m, c) for t, m, c in self._core.results()]
        return False

    @property
    def results(self):
        if self._core is not None and not self._results:
            return [ResourceData(t, m, c) for t, m, c in self._core.results()]
        return self._results

    def visualize(self, filename="profile.html", **kwargs):
        html = _core.profile_html(_core.Profiler(), self._core, "tessera resources")
        with open(filename, "w") as f:
            f.write(html)
        return filename


def visualize(profilers, filename="profile.html", **kwargs):
    """One page for a Profiler and a ResourceProfiler, like ``dask.diagnostics.visualize``."""
    if not isinstance(profilers, (list, tuple)):
        profilers = [profilers]
    prof = next((p for p in profilers if isinstance(p, Profiler)), None)
    res = next((p for p in profilers if isinstance(p, ResourceProfiler)), None)
    if prof is None and res is None:
        raise TypeError(f"visualize: expected a Profiler or a ResourceProfiler (or a list of them), got {profilers!r}")
    if prof is None:
        return res.visualize(filename)
    return prof.visualize(filename, resources=res)
