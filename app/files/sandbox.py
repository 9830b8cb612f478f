"""Run a parser of untrusted files in a child process with a memory cap, a CPU cap and a deadline.

Why a process and not only streaming limits: openpyxl reads parts of a workbook we cannot
bound from outside (styles, the shared-string table, the workbook part), and a crafted file
can make it allocate far more than the file's size. Counting bytes and cells first
(app.files.xlsx_guard) refuses the bombs we know of with a precise message; the child's
limits are the backstop for the ones we do not, and they protect the web worker: when a
limit is hit only the child dies (RLIMIT_AS makes allocation fail, RLIMIT_CPU sends
SIGXCPU, the deadline kills it), never the server. Children come from the "forkserver"
context: a fresh fork of a small clean server process (no web threads, no database
connections), which costs a few milliseconds instead of a new interpreter per upload.
"""

from __future__ import annotations

import multiprocessing
import resource
import signal
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext, SpawnContext
from typing import Any, Literal

Reason = Literal["memory", "time", "crash"]


@dataclass(frozen=True, slots=True)
class ProcessLimits:
    """What the child may use: address space in bytes, CPU seconds, and wall-clock seconds."""

    memory_bytes: int
    cpu_seconds: int
    wall_seconds: float


class SandboxFailure(RuntimeError):
    """The child died or overran: `reason` says which limit; `detail` is for the log, not for users."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def _child(conn: Connection, limits: ProcessLimits, passthrough: tuple[type[Exception], ...],
           target: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """Apply the limits, run the target, send ("ok", result), ("refused", error) or a failure."""
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    try:
        message: tuple[str, Any] = ("ok", target(*args))
    except passthrough as refused:
        message = ("refused", refused)
    except MemoryError:
        message = ("memory", "")
    except Exception:  # noqa: BLE001  (the process boundary: the parent logs it and answers a clear refusal)
        message = ("crash", traceback.format_exc(limit=8))
    try:
        conn.send(message)
    except MemoryError:
        conn.send(("memory", ""))
    finally:
        conn.close()


def _context() -> ForkServerContext | SpawnContext:
    """Forkserver where the platform has it (Linux, macOS), spawn elsewhere."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def run_limited(target: Callable[..., Any], *args: Any, limits: ProcessLimits,
                passthrough: tuple[type[Exception], ...] = ()) -> Any:
    """target(*args) in a limited child: its result; a `passthrough` error re-raised; else SandboxFailure.

    `target` must be a module-level function (it is pickled by name) and errors in `passthrough`
    must pickle with their attributes.
    """
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, limits, passthrough, target, args), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(limits.wall_seconds):
            raise SandboxFailure("time", f"no answer within {limits.wall_seconds} s")
        try:
            kind, payload = receiver.recv()
        except EOFError:  # killed before answering: SIGXCPU (CPU limit) or the kernel
            process.join(5)
            code = process.exitcode
            reason: Reason = "time" if code == -signal.SIGXCPU else "crash"
            raise SandboxFailure(reason, f"child exited with {code}") from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    if kind == "ok":
        return payload
    if kind == "refused":
        raise payload
    raise SandboxFailure("memory" if kind == "memory" else "crash", str(payload))
