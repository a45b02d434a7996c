"""The benchmark harness runs end to end: a real modproxy serve, the passthrough, the bench upstream, wrk.

Bounded (one one-second round per target, loopback only); the figures are not checked, only that
every part answered and the report compares modproxy with the baseline.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_proxy_reports_modproxy_against_the_passthrough(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_proxy", "--profile", "none", "--seconds", "1", "--rounds", "1",
         "--concurrency", "2", "--keep", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    rows = dict(re.findall(r"^  (bare|modproxy/none)\s+(\d+)\s", done.stdout, re.MULTILINE))
    assert set(rows) == {"bare", "modproxy/none"}
    assert all(int(rps) > 0 for rps in rows.values())
    assert "modproxy/none / bare: throughput" in done.stdout
    decided = r"^decisions of modproxy/none \(prompt and answer phases\): allow (\d+)$"
    allowed = re.search(decided, done.stdout, re.MULTILINE)
    assert allowed and int(allowed[1]) > 0  # every request took the allowed path, and nothing else
    served = (tmp_path / "upstream.log").exists() and (tmp_path / "modproxy-none.log").read_text()
    assert served and "listening on" in served  # the shipped command line, as a user starts it


def test_bench_stream_apis_reports_every_api_against_the_passthrough(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_stream_apis", "--profile", "none", "--seconds", "1",
         "--rounds", "1", "--concurrency", "2", "--keep", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=110, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    sections = re.split(r"^(?=\S.*, sse \(50 chunks\), c=2$)", done.stdout, flags=re.MULTILINE)[1:]
    titles = [section.splitlines()[0] for section in sections]
    assert titles == [
        f"{api}, sse (50 chunks), c=2"
        for api in (
            "chat completions",
            "Responses API",
            "Anthropic Messages",
            "chat completions, reasoning model (+50 reasoning deltas)",
            "Anthropic Messages, extended thinking (+50 thinking deltas)",
        )
    ]
    for section in sections:
        rows = dict(re.findall(r"^  (bare|modproxy/none)\s+(\d+)\s", section, re.MULTILINE))
        assert set(rows) == {"bare", "modproxy/none"}
        assert all(int(rps) > 0 for rps in rows.values())
        assert "modproxy/none / bare: throughput" in section
    decided = r"^decisions of modproxy/none \(prompt and answer phases\): allow (\d+)$"
    allowed = re.search(decided, done.stdout, re.MULTILINE)
    assert allowed and int(allowed[1]) > 0
