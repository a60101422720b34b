"""Spill directories do not outlive the process.

A computation removes its spill directory when it ends, also after an error or Ctrl-C.
Three ways of ending skip that: SIGTERM (what ``kill``, Slurm's time limit and container
stops send), SIGKILL and ``os._exit``. On import, tessera therefore

- removes the spill directories of processes that have ended (each directory holds a lock
  file its process keeps locked; the kernel releases the lock however the process ends);
- installs a SIGTERM handler that removes this process's spill directories, then calls
  the handler that was there before, or (for the default) ends the process by SIGTERM as
  it would have; an ignored SIGTERM stays ignored;
- removes them at exit (persisted arrays still alive at exit hold spilled blocks).
"""

from __future__ import annotations

import atexit
import os
import signal
import threading

from . import _core


def _chain(previous):
    def on_sigterm(signum, frame):
        _core.remove_spill_dirs()
        if callable(previous):
            return previous(signum, frame)
        # The default action: end by the same signal, so that the exit status says so.
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    on_sigterm._tessera_cleanup = True
    return on_sigterm


def install() -> None:
    try:
        _core.remove_stale_spill_dirs()
    except OSError:
        pass
    atexit.register(_core.remove_spill_dirs)
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set from the main thread
    previous = signal.getsignal(signal.SIGTERM)
    # SIG_IGN: the program chose to survive SIGTERM. None: a handler set outside Python.
    if previous is signal.SIG_IGN or previous is None or getattr(previous, "_tessera_cleanup", False):
        return
    signal.signal(signal.SIGTERM, _chain(previous))
