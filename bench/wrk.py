"""Load from ``wrk``, outside every measured process, with a Lua script that makes each body unique.

Each request carries a system text and a ~1.2 KB user prompt of English and Chinese sentences
drawn from :mod:`bench.workload`'s pools by a generator seeded per run and per wrk thread, and
prefixed with the run's salt and the request's number; by default it is a chat completion, or the
same prompt in another API's body (:class:`~bench.workload.Api`, the same shapes as ``Api.body``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.workload import CHINESE, ENGLISH, PROMPT_BYTES, SYSTEM, Api

SCRIPT = """\
local english = {%(english)s}
local chinese = {%(chinese)s}
local system = %(system)s
local prompt_bytes = %(prompt_bytes)d
local threads = 0
local stream = "false"
local salt = "0"
local api = "chat"
local state = 1
local counter = 0

function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end

local function next_random(n)
  state = (state * 16807) %% 2147483647
  return state %% n + 1
end

function init(args)
  if args[1] == "stream" then stream = "true" end
  salt = args[2] or "0"
  api = args[3] or "chat"
  state = (tonumber(salt) * 7919 + (thread_number or 0) * 104729) %% 2147483646 + 1
end

function request()
  counter = counter + 1
  -- letters between the numbers: no digit run a card or phone pattern could take
  local parts = {"Request r" .. salt .. "t" .. (thread_number or 0) .. "n" .. counter .. "."}
  local size = #parts[1]
  while size < prompt_bytes do
    local sentence
    if next_random(2) == 1 then
      sentence = english[next_random(#english)]
    else
      sentence = chinese[next_random(#chinese)]
    end
    parts[#parts + 1] = sentence
    size = size + #sentence + 1
  end
  local prompt = table.concat(parts, " ")
  local model = "bench"
  if api == "chat-reasoning" then model = "bench-reasoning" end
  local head = '{"model":"' .. model .. '","stream":' .. stream
  local path, body
  if api == "responses" then
    path = "/v1/responses"
    body = head .. ',"instructions":"' .. system .. '","input":"' .. prompt .. '"}'
  elseif api == "messages" then
    path = "/v1/messages"
    body = head .. ',"max_tokens":1024,"system":"' .. system
      .. '","messages":[{"role":"user","content":"' .. prompt .. '"}]}'
  else
    path = "/v1/chat/completions"
    body = head .. ',"messages":[{"role":"system","content":"' .. system
      .. '"},{"role":"user","content":"' .. prompt .. '"}]}'
  end
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,"errors":%%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def _lua_string(text: str) -> str:
    assert '"' not in text and "\\" not in text, "pool sentences go into JSON unescaped"
    return json.dumps(text, ensure_ascii=False)


def write_script(path: Path) -> Path:
    path.write_text(
        SCRIPT
        % {
            "english": ", ".join(map(_lua_string, ENGLISH)),
            "chinese": ", ".join(map(_lua_string, CHINESE)),
            "system": _lua_string(SYSTEM),
            "prompt_bytes": PROMPT_BYTES,
        },
        encoding="utf-8",
    )
    return path


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed (Debian/Ubuntu package: wrk)")
    return found


def run_wrk(
    url: str, script: Path, *, stream: bool, connections: int, seconds: int, salt: int, api: Api = Api.CHAT
) -> WrkResult:
    command = [
        wrk_binary(), "-t1", f"-c{connections}", f"-d{max(1, seconds)}s", "--timeout", "30s",
        "-s", str(script), url, "--", "stream" if stream else "json", str(salt), api.value,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("WRK_RESULT "):
            data = json.loads(line.removeprefix("WRK_RESULT "))
            return WrkResult(
                data["requests"],
                data["duration_us"] / 1e6,
                data["p50_us"] / 1000,
                data["p99_us"] / 1000,
                data["errors"],
            )
    raise RuntimeError(f"wrk gave no result: {done.stdout[-500:]} {done.stderr[-500:]}")
