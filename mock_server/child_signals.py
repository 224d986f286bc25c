"""Child processes that leave Ctrl-C and hangups to the process that started them."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# A terminal sends these to its whole foreground process group; the parent decides how its
# children stop (build pools are shut down, workers get SIGTERM), so children ignore them.
PARENT_SIGNALS = (signal.SIGINT, signal.SIGHUP)


@contextmanager
def children_ignore_terminal_signals() -> Iterator[None]:
    """Python processes started inside this block ignore SIGINT and SIGHUP from the start.

    An ignored signal stays ignored across exec, and Python then installs no KeyboardInterrupt
    handler (setting SIG_IGN in the child would come too late: a Ctrl-C while it still imports
    prints a traceback). Dispositions are per process and only the main thread may set them;
    the signals are blocked in this thread meanwhile, so one that comes is held, not lost.
    Start children here before serving: another thread could still take a signal meanwhile.
    """
    previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, PARENT_SIGNALS)
    main = threading.current_thread() is threading.main_thread()
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in PARENT_SIGNALS} if main else {}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
