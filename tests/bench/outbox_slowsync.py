"""Slow storage for the benchmark's bot process: every fsync and fdatasync takes N ms longer.

The development machine's disk syncs in a fraction of a millisecond; an SD card, a cheap VPS
disk or a busy server takes 10 to 50 ms, and that is where a checkpoint inside a commit
hurts. Preloading this tiny library (LD_PRELOAD, Linux, built with the system's C compiler)
into the bot process reproduces such a disk without touching the machine.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SOURCE = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static void slow(void) {
    const char *ms = getenv("OUTBOX_BENCH_FSYNC_MS");
    long v = ms ? atol(ms) : 0;
    struct timespec t = {v / 1000, (v % 1000) * 1000000L};
    if (v > 0) nanosleep(&t, NULL);
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    slow();
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    slow();
    return real(fd);
}
"""


def slow_sync_env(ms: float, folder: Path) -> dict[str, str]:
    """Build the library in `folder`; the environment that makes a process's syncs slow."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise SystemExit("--fsync-ms needs a C compiler (cc or gcc)")
    source, library = folder / "slowsync.c", folder / "slowsync.so"
    source.write_text(SOURCE, encoding="utf-8")
    subprocess.run(
        [compiler, "-shared", "-fPIC", "-O2", "-o", str(library), str(source), "-ldl"],
        check=True,
    )
    return {"LD_PRELOAD": str(library), "OUTBOX_BENCH_FSYNC_MS": str(int(ms))}
