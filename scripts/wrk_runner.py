"""Run Debian's wrk with a Lua script that rotates through a list of URLs, and read its figures.

scripts/bench_load.py drives every server through here: the same wrk options, the same JSON line of
figures (requests, duration, p50/p99, socket errors, and responses by status class, 503 apart).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import BenchError  # scripts/bench.py: the error every benchmark reports as one line

WRK_TIMEOUT_S = 30  # a request slower than this counts as a socket error (a timeout)
# done() prints one JSON line: requests, duration, latency percentiles (µs), errors and status classes
# counted by response() in each thread (thread:get copies the thread's `classes` table).
WRK_LUA = """
local paths = {%(paths)s}
local n = 0
local threads = {}
classes = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("offset", #threads - 1)
end

function init(args)
  n = (offset * math.floor(#paths / %(threads)d)) %% #paths
end

function request()
  n = n %% #paths + 1
  return wrk.format("GET", paths[n])
end

function response(status, headers, body)
  local class = tostring(math.floor(status / 100)) .. "xx"
  if status == 503 then class = "503" end
  classes[class] = (classes[class] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for class, count in pairs(thread:get("classes")) do
      counts[class] = (counts[class] or 0) + count
    end
  end
  local parts = {}
  for class, count in pairs(counts) do
    table.insert(parts, string.format('"%%s": %%d', class, count))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, "max_us": %%d, '
    .. '"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d, "classes": {%%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ", ")))
end
"""


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: throughput, latency (ms), and what went wrong."""

    target: str
    requests: int
    duration_s: float
    p50_ms: float
    p99_ms: float
    socket_errors: int
    non_2xx_3xx: int
    classes: dict[str, int]

    @property
    def rps(self) -> float:
        """Requests per second over the run."""
        return self.requests / self.duration_s

    @property
    def busy(self) -> int:
        """503 answers (the overload protection's "busy, try again")."""
        return self.classes.get("503", 0)

    @property
    def errors(self) -> int:
        """Every failed request: socket errors and responses outside 2xx/3xx, 503 included."""
        return self.socket_errors + self.non_2xx_3xx


@dataclass(frozen=True)
class Settings:
    """How every wrk run is made."""

    threads: int
    connections: int
    duration_s: int
    warmup_s: int
    workers: int


def lua_script(paths: Sequence[str], threads: int) -> str:
    """The wrk script that rotates through `paths` (thread k from k/threads of the way) and prints
    its figures as JSON: between two requests of one URL all the others are requested once."""
    return WRK_LUA % {"paths": ", ".join(json.dumps(p) for p in paths), "threads": threads}


def parse_wrk(target: str, output: str) -> WrkResult:
    """The figures of the JSON line our done() prints."""
    line = next((ln for ln in output.splitlines() if ln.startswith("WRK-JSON ")), None)
    if line is None:
        raise BenchError(f"wrk printed no summary for {target}: {output.strip()[-300:]}")
    data = json.loads(line.removeprefix("WRK-JSON "))
    socket_errors = sum(int(data[k]) for k in ("connect", "read", "write", "timeout"))
    return WrkResult(target=target, requests=int(data["requests"]), duration_s=data["duration_us"] / 1e6,
                     p50_ms=data["p50_us"] / 1000, p99_ms=data["p99_us"] / 1000, socket_errors=socket_errors,
                     non_2xx_3xx=int(data["status"]), classes={k: int(v) for k, v in data["classes"].items()})


def run_wrk(base: str, target: str, paths: Sequence[str], settings: Settings, *, seconds: int,
            workdir: Path, strict: bool = True) -> WrkResult:
    """Drive `base` with wrk for `seconds`, rotating through `paths`; when `strict`, fail on any error but
    a 503 "busy" of the overload protection, which is the designed answer past capacity and is reported."""
    script = workdir / "mix.lua"
    script.write_text(lua_script(paths, settings.threads), encoding="utf-8")
    args = ["wrk", f"-t{settings.threads}", f"-c{settings.connections}", f"-d{seconds}s", "--latency",
            f"--timeout={WRK_TIMEOUT_S}s", "-s", str(script), base]
    done = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if done.returncode != 0:
        raise BenchError(f"wrk failed (exit {done.returncode}): {done.stderr.strip()[-300:]}")
    result = parse_wrk(target, done.stdout)
    if strict and result.errors - result.busy:
        classes = ", ".join(f"{k}: {v}" for k, v in sorted(result.classes.items()))
        raise BenchError(f"{target} under load: {result.socket_errors} socket errors, "
                         f"{result.non_2xx_3xx} responses outside 2xx/3xx ({classes})")
    return result
