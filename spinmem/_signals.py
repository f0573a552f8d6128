"""Ctrl-C and SIGTERM held back while a file is being written.

Inside :class:`held` a SIGINT or SIGTERM is noted instead of acted on; the writer asks
:meth:`held.check` at the points where it can stop cleanly, which removes what it had
started (its ``cleanup``) and then acts on the signal as it would have: SIGINT raises
``KeyboardInterrupt`` (or calls the handler that was installed), SIGTERM ends the
process with the default action. Signals that were ignored stay ignored. Outside the
main thread, where Python cannot install handlers, :class:`held` does nothing.
"""

import os
import signal
import threading
from collections.abc import Callable

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class held:
    """Hold back SIGINT and SIGTERM until :meth:`check` or the end of the block."""

    def __init__(self, cleanup: Callable[[], None] = lambda: None):
        self.cleanup = cleanup
        self.pending: int | None = None
        self.previous: dict[int, object] = {}

    def __enter__(self) -> "held":
        if threading.current_thread() is not threading.main_thread():
            return self
        for signum in _SIGNALS:
            previous = signal.getsignal(signum)
            if previous is signal.SIG_IGN or previous is None:
                continue
            self.previous[signum] = previous
            signal.signal(signum, self._note)
        return self

    def _note(self, signum, frame) -> None:
        if self.pending is None:
            self.pending = signum

    def check(self) -> None:
        """Clean up and act on a signal that arrived since the block began."""
        if self.pending is None:
            return
        signum, self.pending = self.pending, None
        self.cleanup()
        handler = self.previous.get(signum, signal.SIG_DFL)
        self._restore()
        if callable(handler):
            handler(signum, None)  # Python's own SIGINT handler raises KeyboardInterrupt
        else:
            os.kill(os.getpid(), signum)  # the default action ends the process
        raise InterruptedError(f"interrupted by {signal.Signals(signum).name}")

    def __exit__(self, *exc) -> None:
        try:
            if exc[0] is None:
                self.check()
        finally:
            self._restore()

    def _restore(self) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        self.previous = {}
