"""Run the oral-sim CLI with the network cut off inside Python: creating an internet socket,
resolving a name or connecting anywhere but a local (AF_UNIX) socket raises and is logged.

Usage: python tests/offline_guard.py LOGFILE oral-sim-args...
Every attempt is appended to LOGFILE, so a library that swallows the error is still caught.
"""

from __future__ import annotations

import socket
import sys

LOG = sys.argv[1]
BLOCKED_EVENTS = {"socket.connect", "socket.bind", "socket.getaddrinfo", "socket.gethostbyname",
                  "socket.sendto", "urllib.Request", "http.client.connect"}


def _record(what: str) -> None:
    with open(LOG, "a", encoding="utf-8") as f:
        f.write(what + "\n")


def _audit(event: str, args: tuple) -> None:
    if event == "socket.__new__":
        family = args[1] if len(args) > 1 else None
        if family not in (socket.AF_UNIX, -1):
            _record(f"{event} family={family}")
            raise OSError("network is blocked in this test")
    elif event in BLOCKED_EVENTS:
        sock = args[0] if args else None
        if isinstance(sock, socket.socket) and sock.family == socket.AF_UNIX:
            return
        _record(f"{event} {args[1:2]!r}")
        raise OSError("network is blocked in this test")


sys.addaudithook(_audit)

if __name__ == "__main__":
    from oral_sim.cli import main

    sys.exit(main(sys.argv[2:]))
