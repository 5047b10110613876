"""`retain.ui.driver.hangup_driver`: a read of the terminal that fails with EIO (a terminal that
has gone, or is no longer the process's) ends Textual's input thread quietly and calls the hook
once, where Textual made it a crash (`App.panic`: a traceback, exit 1). Any other driver class is
left as it is.

The driver runs in a child process: it reads the process's own stdin and sets signal handlers.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest
from textual.drivers.headless_driver import HeadlessDriver

from retain.ui.driver import hangup_driver

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="needs a Linux pty")

# stdin: a pty's master whose other side is closed (a tty, whose reads fail with EIO)
_READ_EIO = """
import asyncio, sys, threading
from textual.drivers.linux_driver import LinuxDriver
from retain.ui.driver import hangup_driver

class App:  # what the driver's input thread asks of the app when its read fails
    panics = 0
    panic = None
    def call_later(self, *args, **kwargs):
        App.panics += 1

async def main() -> None:
    hangups = []
    called = asyncio.Event()
    cls = hangup_driver(LinuxDriver, lambda: (hangups.append(1), called.set()))
    driver = cls(App())
    thread = threading.Thread(target=driver._run_input_thread)
    thread.start()
    thread.join(5)
    if hangups or not App.panics:
        await asyncio.wait_for(called.wait(), 5)
    await asyncio.sleep(0.2)
    print(f"hangups={len(hangups)} panics={App.panics} alive={thread.is_alive()}", flush=True)

asyncio.run(main())
"""


def test_an_eio_read_ends_the_input_thread_and_calls_the_hook_once() -> None:
    master, slave = pty.openpty()
    os.close(slave)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    try:
        out = subprocess.run(
            [sys.executable, "-c", _READ_EIO],
            stdin=master,
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
            start_new_session=True,
        )
    finally:
        os.close(master)
    assert out.stdout.strip() == "hangups=1 panics=0 alive=False", out.stdout + out.stderr


def test_other_drivers_are_left_as_they_are() -> None:
    assert hangup_driver(HeadlessDriver, lambda: None) is HeadlessDriver
