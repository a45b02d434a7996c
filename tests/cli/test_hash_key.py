import subprocess
import sys

from proxy.settings.tenants import hash_key


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "proxy", "hash-key", *args],
        input=stdin, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_hashes_the_key_read_from_stdin() -> None:
    result = _run(stdin="vk-public\n")
    assert (result.returncode, result.stdout) == (0, hash_key("vk-public") + "\n")


def test_an_empty_key_is_refused() -> None:
    result = _run(stdin="\n")
    assert result.returncode == 2
    assert "no key" in result.stderr


def test_generate_prints_a_new_key_and_its_hash() -> None:
    lines = dict(line.split(":", 1) for line in _run("--generate").stdout.splitlines())
    key, hashed = lines["key"].strip(), lines["hash"].strip()
    assert key.startswith("mp-") and len(key) > 40
    assert hashed == hash_key(key)
    assert _run("--generate").stdout != _run("--generate").stdout
