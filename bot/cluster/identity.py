"""Who this process is, and whether a process of this same machine is gone.

A heartbeat tells a dead process only once it is `dead_after_seconds` old. A process of the
same kernel and pid namespace (a restart after kill -9 on one machine, the usual case) can
be known dead at once: its pid is gone, or now belongs to a process started at another
moment. Anything else (another machine, another container) waits for its heartbeat.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Identity:
    """This process as others see it in the `processes` table."""

    process_id: str
    node: str  # the kernel's boot and this pid namespace; "" where that cannot be told
    pid: int
    pid_start: str  # when the kernel started the pid (clock ticks since boot)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="ascii").strip()
    except OSError:
        return ""


def node() -> str:
    """One kernel run and one pid namespace: pids mean the same process only within it."""
    boot = _read("/proc/sys/kernel/random/boot_id")
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return ""
    return f"{boot}/{namespace}" if boot else ""


def started(pid: int) -> str | None:
    """When the kernel started `pid` (None: no such living process), from /proc/<pid>/stat."""
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return None
    # The command name (2nd field) may hold spaces: fields count from its closing ')'.
    fields = stat.rsplit(")", 1)[-1].split()
    if len(fields) <= 19 or fields[0] in {"Z", "X"}:  # a zombie is dead, reaped or not
        return None
    return fields[19]


def this_process() -> Identity:
    """The identity of the running process; the id is new at every start."""
    pid = os.getpid()
    process_id = f"{socket.gethostname()[:40]}-{pid}-{secrets.token_hex(4)}"
    return Identity(process_id, node(), pid, started(pid) or "")


def gone(other_node: str, pid: int, pid_start: str, here: str) -> bool:
    """Whether a process of this same node is certainly dead (never guesses for another)."""
    if not here or other_node != here or not pid_start:
        return False
    return started(pid) != pid_start
