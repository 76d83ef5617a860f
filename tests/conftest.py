"""Shared pytest fixtures: the emulator (c7n-devops-sim) on a free loopback port.

Binaries come from the build directory named by $C7NFS_BUILD (default: build/),
so the same tests run against the plain and the ASan+UBSan builds.
"""
import json
import os
import re
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get("C7NFS_BUILD", "build"))
SIM_BIN = os.path.join(BUILD, "contrib", "devops-sim", "c7n-devops-sim")
C7NFS_BIN = os.path.join(BUILD, "src", "c7nfs")

TOKENS = {"admin": "c7n-demo-admin", "dev": "c7n-demo-dev", "viewer": "c7n-demo-viewer"}

SANITIZER_RE = re.compile(r"(==\d+==|AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer)")


def wait_until(pred, timeout=10.0, interval=0.02, what="condition"):
    """Polls pred() until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = pred()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out after %.1fs waiting for %s (last: %r)" % (timeout, what, last))


class Response:
    def __init__(self, status, body, headers):
        self.status = status
        self.body = body
        self.headers = headers

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def text(self):
        return self.body.decode("utf-8")


class Sim:
    """A running emulator process and a small HTTP client for it."""

    def __init__(self, args=(), transition_ms=None):
        cmd = [SIM_BIN, "--listen", "127.0.0.1:0"]
        if transition_ms is not None:
            cmd += ["--transition-ms", str(transition_ms)]
        cmd += list(args)
        self.stderr_lines = []
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if not m:
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            self.proc.kill()
            raise RuntimeError("emulator did not start: %r %r" % (line, err))
        self.url = m.group(1)
        self._drain = threading.Thread(target=self._read_stderr, daemon=True)
        self._drain.start()

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line)

    def request(self, method, path, body=None, token="admin", headers=None, raw_body=None,
                timeout=10):
        url = self.url + path
        hdrs = {"Accept": "application/json"}
        if token is not None:
            hdrs["Authorization"] = "bearer " + TOKENS.get(token, token)
        data = None
        if raw_body is not None:
            data = raw_body if isinstance(raw_body, bytes) else raw_body.encode()
        elif body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        if headers:
            hdrs.update(headers)
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return Response(r.status, r.read(), dict(r.headers))
        except urllib.error.HTTPError as e:
            return Response(e.code, e.read(), dict(e.headers))

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def stats(self):
        return self.request("GET", "/_sim/stats", token=None).json()

    def faults(self, **kw):
        r = self.request("POST", "/_sim/faults", body=kw, token=None)
        assert r.status in (200, 204), r.body
        return r

    def reset(self):
        return self.request("POST", "/_sim/reset", token=None)

    def advance(self):
        return self.request("POST", "/_sim/advance", token=None)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._drain.join(timeout=5)
        bad = [l for l in self.stderr_lines if SANITIZER_RE.search(l)]
        assert not bad, "sanitizer report from the emulator:\n" + "".join(self.stderr_lines)
        assert self.proc.returncode in (0, -15), \
            "emulator exited with %r:\n%s" % (self.proc.returncode, "".join(self.stderr_lines))


@pytest.fixture
def sim():
    """A fresh emulator with the demo data, transitions completing after 1500 ms."""
    s = Sim()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def sim_factory():
    """Starts emulators with custom arguments; all are stopped at the end."""
    started = []

    def start(*args, transition_ms=None):
        s = Sim(args, transition_ms=transition_ms)
        started.append(s)
        return s

    try:
        yield start
    finally:
        for s in started:
            s.stop()


# tests/emulator/simapi.py holds the contract tests' helpers and fixtures; its asserts are
# rewritten like a test module's so that failures show the compared values.
pytest.register_assert_rewrite("simapi")
