"""`balise worker` is two processes: this supervisor, and the worker it forks, replaces and stops.

The worker runs its jobs in its own warm process (a fork per job cost each job ~50 ms here).
What a fork per job protected, the supervisor keeps: a worker that dies (segfault, out of
memory, killed) is replaced, warm, from the supervisor's memory; a worker that leaves to be
replaced (`RECYCLE`: after many jobs, or grown too big) is replaced at once, so a leak cannot
grow; SIGTERM or Ctrl+C is passed on as RQ's warm shutdown (the job in hand finishes).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import time
from collections.abc import Callable
from contextlib import suppress
from types import FrameType

log = logging.getLogger(__name__)
RECYCLE = 75  # the worker's exit status when it leaves to be replaced (EX_TEMPFAIL)
PR_SET_PDEATHSIG = 1  # linux/prctl.h
BACKOFF = (1.0, 2.0, 5.0, 15.0, 30.0)  # seconds before replacing a worker that died, again and again...
STEADY = 60.0  # ...back to the first once one has lived this long
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def supervise(serve: Callable[[int], int]) -> None:
    """Run `serve(generation)` in a forked child until it ends for good.

    The child ends for good when it exits 0 (burst done, or stopped) or when we were asked to
    stop; it is replaced when it exits `RECYCLE` or dies of anything else.
    """
    stopping = False
    child = 0

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if child:
            _stop(child)

    previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
    generation = deaths = 0
    try:
        while not stopping:  # asked to stop while waiting to replace a worker: no new one
            generation += 1
            born = time.monotonic()
            # Held while forking (the kernel keeps them pending): a stop is then handled once
            # `child` is known, or, if Python had already taken it before the fork, just below.
            signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
            child = os.fork()
            if child == 0:
                _child(serve, generation)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
            if stopping:
                _stop(child)
            _, status = os.waitpid(child, 0)  # retried after `stop` runs (PEP 475)
            code = os.waitstatus_to_exitcode(status)
            # Its own helpers (RQ's scheduler process) go with it: the next worker starts its own.
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(child, signal.SIGKILL)
            child = 0
            if stopping or code == 0:
                return
            if code == RECYCLE:
                continue
            deaths = 1 if time.monotonic() - born >= STEADY else deaths + 1
            pause = BACKOFF[min(deaths, len(BACKOFF)) - 1]
            log.warning("le travailleur s'est arrêté (statut %s) : remplacé dans %.0f s", code, pause)
            time.sleep(pause)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop(child: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(child, signal.SIGTERM)


def _child(serve: Callable[[int], int], generation: int) -> None:
    """The worker's side of the fork: never returns into the supervisor's code."""
    code = 1
    try:
        parent = os.getppid()
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_DFL)
        os.setpgrp()  # Ctrl+C reaches the supervisor only, which passes it on once
        _stop_with(parent)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # a stop sent meanwhile ends it here
        code = serve(generation)
    except BaseException:  # noqa: BLE001 - report, then leave with a status the supervisor reads
        log.exception("le travailleur a échoué")
    finally:
        logging.shutdown()
        os._exit(code)


def _stop_with(parent: int) -> None:
    """If the supervisor dies (even SIGKILLed), the kernel sends the worker SIGTERM: it finishes
    its job and leaves instead of serving on unwatched (Linux; elsewhere, and if RQ's answer to
    that SIGTERM is lost, the worker's next heartbeat sees its parent gone and leaves)."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the supervisor died before prctl took
        os._exit(0)
