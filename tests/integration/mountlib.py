"""Mount fixtures (import them into test modules: from mountlib import mnt, …).

The daemon's stderr is collected; a test fails if it contains a sanitizer report
or if the daemon does not exit cleanly (status 0) after `fusermount3 -u`.
"""
import errno
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unicodedata
import urllib.parse
from datetime import datetime, timezone

import pytest
import yaml

from conftest import C7NFS_BIN, SANITIZER_RE, TOKENS, Sim, wait_until

LSAN_SUPP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         "lsan.supp")


def in_proc_mounts(path):
    """Whether path is a mount point, even one whose daemon is gone."""
    with open("/proc/mounts") as f:
        return any(line.split()[1] == path for line in f if len(line.split()) > 1)


class Mount:
    def __init__(self, sim, user="admin", options=(), env=None, token=True, parent=None):
        self.sim = sim
        self.path = tempfile.mkdtemp(prefix="c7nfs-mnt-", dir=parent)
        opts = ["server=" + sim.url] + list(options)
        cmd = [C7NFS_BIN, "-f", "-o", ",".join(opts), self.path]
        e = dict(os.environ)
        e.pop("C7NFS_TOKEN", None)
        if token:
            e["C7NFS_TOKEN"] = TOKENS.get(user, user)
        e["HOME"] = e.get("C7NFS_TEST_HOME", tempfile.mkdtemp(prefix="c7nfs-home-"))
        e.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        e["LSAN_OPTIONS"] = "suppressions=" + LSAN_SUPP
        if env:
            e.update(env)
        self.stderr_lines = []
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=e)
        self._drain = threading.Thread(target=self._read, daemon=True)
        self._drain.start()
        try:
            wait_until(lambda: os.path.ismount(self.path) or self.proc.poll() is not None,
                       timeout=20, what="the mount")
        except AssertionError:
            self.proc.kill()
            raise
        if not os.path.ismount(self.path):
            self._drain.join(timeout=5)
            raise RuntimeError("c7nfs did not mount (exit %r):\n%s"
                               % (self.proc.returncode, "".join(self.stderr_lines)))

    def _read(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line)

    def p(self, *parts):
        return os.path.join(self.path, *parts)

    def read(self, *parts):
        with open(self.p(*parts), "rb") as f:
            return f.read().decode("utf-8")

    def run(self, *cmd, check=True, timeout=30, **kw):
        return subprocess.run(list(cmd), capture_output=True, text=True, check=check,
                              timeout=timeout, **kw)

    def log(self):
        return "".join(self.stderr_lines)

    def unmount(self):
        # A daemon that died (a sanitizer abort) leaves a mount whose stat fails with
        # ENOTCONN, which os.path.ismount reports as "not a mount": ask /proc/mounts.
        if in_proc_mounts(self.path):
            subprocess.run(["fusermount3", "-u", self.path], check=False,
                           capture_output=True, timeout=30)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("c7nfs did not exit after unmount:\n" + self.log())
        self._drain.join(timeout=5)
        try:
            os.rmdir(self.path)
        except OSError:
            pass
        bad = [l for l in self.stderr_lines if SANITIZER_RE.search(l)]
        assert not bad, "sanitizer report from c7nfs:\n" + self.log()
        assert self.proc.returncode == 0, \
            "c7nfs exited with %r:\n%s" % (self.proc.returncode, self.log())


def _mounts(parent=None):
    """Yields make(sim, **kw) -> Mount (mount points under parent); unmounts them all
    at the end and fails if any daemon did not exit cleanly."""
    mounts = []

    def make(sim, **kw):
        m = Mount(sim, parent=parent, **kw)
        mounts.append(m)
        return m

    try:
        yield make
    finally:
        errors = []
        for m in mounts:
            try:
                m.unmount()
            except AssertionError as e:
                errors.append(str(e))
        assert not errors, "\n".join(errors)


@pytest.fixture
def mount_factory():
    """mount_factory(sim, user="admin", options=[...]) -> Mount; all unmounted at the end."""
    yield from _mounts()


@pytest.fixture
def sim0():
    """An emulator whose operations complete only on /_sim/advance (transition-ms
    is long), so tests decide when state changes."""
    s = Sim(transition_ms=3600000)
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def mnt(sim, mount_factory):
    """c7nfs mounted as admin on the demo data."""
    return mount_factory(sim)


# ================================================================ helpers of the mount tests
#
# Everything below serves tests/integration/test_*.py: a client of the emulator's
# Choerodon API (the tests compare the mount with what the server serves, as the same
# user), the layout the mount should show, the state oracle of design.md §4, parsers of
# the rendered files, and module-scoped fixtures for read-only tests.

HOLD_MS = 3600000
LONG_TTL = ("ttl_status_ms=600000", "ttl_list_ms=600000", "ttl_static_ms=600000")

DV = "/devops/v1/projects/{p}"
INS = DV + "/app_service_instances/{i}"
T_A2 = "GET /iam/choerodon/v1/users/self"
T_A4 = "GET /iam/choerodon/v1/users/{userId}/projects"
T_E1 = "GET " + DV + "/envs/list_by_active"
T_E2 = "GET " + DV + "/envs/resource_tree_menu"
T_I1 = "POST " + DV + "/app_service_instances/info/page_by_options"
T_I3 = "GET " + INS
T_I4 = "GET " + INS + "/resources"
T_I5 = "GET " + INS + "/deployment_detail_json"
T_I6 = "GET " + INS + "/deployment_detail_yaml"
T_I7 = "POST " + DV + "/pods/page_by_options"
T_I8 = "GET " + INS + "/events"
T_V1 = "GET " + INS + "/values"
T_V2 = "GET " + INS + "/last_deploy_value"
T_R1 = "POST " + DV + "/app_service_versions/page_by_options"
T_R2 = "GET " + DV + "/app_service_versions/version/{v}/upgrade_version"
# Requests whose number would grow with the number of instances of a listing.
PER_INSTANCE = (T_I3, T_I4, T_I5, T_I6, T_I7, T_I8, T_V1, T_V2)

INSTANCE_FILES = ("status", "status.json", "values.yaml", "control", "versions", "last_error",
                  "events.log")
INSTANCE_DIRS = ("resources", "deployments", "events")
RESOURCE_KINDS = ("pods", "deployments", "replicasets", "services", "ingresses", "statefulsets",
                  "daemonsets", "pvcs")
DEPLOYMENT_FILES = ("summary", "ports", "volumes", "health", "host", "env", "labels",
                    "detail.yaml", "detail.json")
META_FILES = ("status", "log", "ctl")


def q(x):
    return urllib.parse.quote(str(x), safe="-._~=")


class Api:
    """The Choerodon endpoints of choerodon-api.md §1 on the emulator, as one user."""

    def __init__(self, sim, user="admin"):
        self.sim = sim
        self.user = user

    def call(self, method, path, query=None, **kw):
        if query:
            path += "?" + urllib.parse.urlencode(query)
        return self.sim.request(method, path, token=self.user, **kw)

    def ok(self, method, path, **kw):
        r = self.call(method, path, **kw)
        assert r.status == 200, "%s %s: HTTP %d %r" % (method, path, r.status, r.body[:300])
        data = r.json()
        assert not (isinstance(data, dict) and data.get("failed") is True), \
            "%s %s: business error %r" % (method, path, data)
        return data

    def dv(self, p, rest):
        return "/devops/v1/projects/%s%s" % (p, rest)

    def ins(self, p, i, rest=""):
        return self.dv(p, "/app_service_instances/%s%s" % (q(i), rest))

    def me(self):
        return self.ok("GET", "/iam/choerodon/v1/users/self")

    def projects(self):
        return self.ok("GET", "/iam/choerodon/v1/users/%s/projects" % q(self.me()["id"]))

    def envs(self, p):
        return self.ok("GET", self.dv(p, "/envs/list_by_active"), query={"active": "true"})

    def tree(self, p):
        return self.ok("GET", self.dv(p, "/envs/resource_tree_menu"))

    def instances(self, p, e):
        pg = self.ok("POST", self.dv(p, "/app_service_instances/info/page_by_options"),
                     query={"env_id": e, "page": 0, "size": 1000},
                     body={"searchParam": {}, "params": []})
        assert pg["totalElements"] == len(pg["content"]), pg["totalElements"]
        return pg["content"]

    def instance(self, p, i):
        return self.ok("GET", self.ins(p, i))

    def resources(self, p, i):
        return self.ok("GET", self.ins(p, i, "/resources"))

    def detail_json(self, p, i, name):
        return self.ok("GET", self.ins(p, i, "/deployment_detail_json"),
                       query={"deployment_name": name})["detail"]

    def detail_yaml(self, p, i, name):
        return self.ok("GET", self.ins(p, i, "/deployment_detail_yaml"),
                       query={"deployment_name": name})["detail"]

    def events(self, p, i):
        return self.ok("GET", self.ins(p, i, "/events"))

    def values(self, p, i):
        return self.ok("GET", self.ins(p, i, "/values"))["yaml"]

    def versions(self, p, app):
        pg = self.ok("POST", self.dv(p, "/app_service_versions/page_by_options"),
                     query={"app_service_id": app, "deploy_only": "true", "do_page": "true",
                            "page": 0, "size": 1000},
                     raw_body=b"null", headers={"Content-Type": "application/json"})
        return pg["content"]

    def newer_versions(self, p, version_id):
        return self.ok("GET", self.dv(p, "/app_service_versions/version/%s/upgrade_version"
                                      % q(version_id)))

    def newest_version(self, p, app):
        """The version of app that has no newer one (R2), as an R1 item."""
        newest = [v for v in self.versions(p, app) if not self.newer_versions(p, v["id"])]
        assert len(newest) == 1, newest
        return newest[0]

    # operations (the test drives the server directly, not through the mount)
    def accepted(self, method, path):
        r = self.call(method, path)
        assert r.status == 204, "%s %s: HTTP %d %r" % (method, path, r.status, r.body[:300])

    def stop(self, p, i):
        self.accepted("PUT", self.ins(p, i, "/stop"))

    def start(self, p, i):
        self.accepted("PUT", self.ins(p, i, "/start"))

    def redeploy(self, p, i):
        self.accepted("PUT", self.ins(p, i, "/restart"))

    def update(self, p, i, values, version_id=None):
        """O1 with new values text (and optionally another version); returns its answer."""
        info = self.instance(p, i)
        body = {"instanceId": info["id"], "environmentId": info["environmentId"],
                "appServiceId": info["appServiceId"],
                "appServiceVersionId": version_id or info["appServiceVersionId"],
                "values": values, "type": "update"}
        return self.ok("PUT", self.dv(p, "/app_service_instances"), body=body)

    def advance(self):
        r = self.sim.advance()
        assert r.status in (200, 204), (r.status, r.body)


def stats_delta(before, after):
    """{template: requests made between two /_sim/stats answers}."""
    b = before["requests"]
    out = {k: n - b.get(k, 0) for k, n in after["requests"].items()}
    return {k: n for k, n in out.items() if n}


# ---------------------------------------------------------------- the expected layout

def sanitize(name):
    """A server name as a path component (design.md §2)."""
    s = "".join("_" if c == "/" or ord(c) < 0x20 or ord(c) == 0x7f else c for c in name or "")
    if s in ("", ".", ".."):
        s = "_" * max(1, len(s))
    return s


def unique_names(codes):
    names = [sanitize(c) for c in codes]
    assert len(set(names)) == len(names), "the data has colliding names: %r" % codes
    return names


class Inst:
    """One instance as the mount should show it."""

    def __init__(self, project, env, item, parts):
        self.project = project
        self.env = env
        self.item = item
        self.p = project["id"]
        self.e = env["id"]
        self.id = item["id"]
        self.code = item["code"]
        self.parts = parts   # directory names from the mount point down

    def __repr__(self):
        return "<instance %s (%s)>" % ("/".join(self.parts), self.item.get("status"))


class Layout:
    """The projects, environments and instances a user's mount should show: A4 projects,
    the environments E2 shows to the user (with E1's flags), the I1 instances of each.
    project=CODE: the layout of `-o project=CODE` (the project at the mount point)."""

    def __init__(self, api, project=None):
        self.api = api
        self.projects = [pr for pr in api.projects() if project in (None, pr["code"])]
        assert self.projects, "no project %r for %s" % (project, api.user)
        self.top = project is None
        self.envs = {}        # project id → [E1 env] the user sees, E2 order
        self.hidden = {}      # project id → [E1 env] the user does not see
        self.env_parts = {}   # env id → directory names
        self.instances = []
        self._newest = {}
        for pr, pdir in zip(self.projects, unique_names(pr["code"] for pr in self.projects)):
            e1 = {e["id"]: e for e in api.envs(pr["id"])}
            seen = [t["id"] for t in api.tree(pr["id"]) if t["id"] in e1]
            self.envs[pr["id"]] = [e1[i] for i in seen]
            self.hidden[pr["id"]] = [e for i, e in e1.items() if i not in seen]
            envs = self.envs[pr["id"]]
            for env, edir in zip(envs, unique_names(e["code"] for e in envs)):
                parts = ((pdir,) if self.top else ()) + (edir,)
                self.env_parts[env["id"]] = parts
                items = api.instances(pr["id"], env["id"])
                for it, idir in zip(items, unique_names(it["code"] for it in items)):
                    self.instances.append(Inst(pr, env, it, parts + (idir,)))

    def all_envs(self):
        return [(pr, env) for pr in self.projects for env in self.envs[pr["id"]]]

    def in_env(self, env):
        return [i for i in self.instances if i.e == env["id"]]

    def find(self, status=None, connected=True, where=None):
        return [i for i in self.instances
                if (status is None or i.item["status"] == status)
                and (connected is None or i.env["connect"] is connected)
                and (where is None or where(i))]

    def pick(self, **kw):
        found = self.find(**kw)
        assert found, "the demo data has no instance with %r" % (kw,)
        return found[0]

    def newest(self, inst):
        """The newest version of the instance's app service (R1 item), memoised."""
        key = (inst.p, inst.item["appServiceId"])
        if key not in self._newest:
            self._newest[key] = self.api.newest_version(*key)
        return self._newest[key]

    def clean(self, inst):
        """Whether the instance's values carry no emulator trigger block (c7nsim)."""
        return "c7nsim" not in (yaml_load(self.api.values(inst.p, inst.id)) or {})


def yaml_load(text):
    return yaml.safe_load(text)


def yaml_dump(data):
    return yaml.safe_dump(data, default_flow_style=False, sort_keys=False, allow_unicode=True)


# ---------------------------------------------------------------- states and verbs (design.md §4)

STATE_ZH = {
    ("create", "operating"): "创建中", ("create", "success"): "创建成功",
    ("create", "failed"): "创建失败",
    ("update", "operating"): "更新中", ("update", "success"): "更新完成",
    ("update", "failed"): "更新失败",
    ("stop", "operating"): "停止中", ("stop", "success"): "停止完成", ("stop", "failed"): "停止失败",
    ("restart", "operating"): "重启中", ("restart", "success"): "重启完成",
    ("restart", "failed"): "重启失败",
    ("delete", "operating"): "删除中",
}
# The English glosses design.md §1 fixes; the others only need to be English words.
STATE_EN = {"更新完成": "update succeeded", "更新中": "updating"}
SETTLED = {"edit", "redeploy", "stop", "delete"}
SEED_VERBS = {
    "创建成功": SETTLED, "更新完成": SETTLED, "更新失败": SETTLED, "停止失败": SETTLED,
    "重启完成": SETTLED,
    "创建失败": {"edit", "redeploy", "delete"},
    "停止完成": {"edit", "start", "delete"}, "重启失败": {"edit", "start", "delete"},
}
VERB_ORDER = ("edit", "redeploy", "start", "stop", "delete", "upgrade")


def state_zh(item):
    return STATE_ZH[(item["commandType"], item["commandStatus"])]


def check_state_label(text, zh):
    """'更新完成 (update succeeded)': the Chinese name and an English gloss."""
    m = re.match(r"^(\S+) \(([a-z][a-z ]*)\)$", text)
    assert m, "state %r is not 'ZH (english)'" % text
    assert m.group(1) == zh, "state %r, expected %s" % (text, zh)
    if zh in STATE_EN:
        assert m.group(2) == STATE_EN[zh], text
    return m.group(2)


def may_deploy(env):
    return bool(env["permission"] or env["skipCheckPermission"])


def allowed_verbs(item, env, newer):
    """design.md §4: the seed table, the server's own preconditions (stop needs status
    running, start needs stopped), connection and permission; upgrade where editing is
    allowed and a newer version exists. In the fixed order of VERB_ORDER."""
    if not env["connect"] or not may_deploy(env):
        return []
    verbs = set(SEED_VERBS.get(state_zh(item), ()))
    if item["status"] != "running":
        verbs.discard("stop")
    if item["status"] != "stopped":
        verbs.discard("start")
    if "edit" in verbs and newer:
        verbs.add("upgrade")
    return [v for v in VERB_ORDER if v in verbs]


# ---------------------------------------------------------------- parsing what the mount renders

def one_line(s):
    """A server string as a key: value or table cell shows it: control characters as
    spaces, trailing blanks dropped; None as ""."""
    return re.sub(r"[\x00-\x1f\x7f]", " ", s or "").rstrip(" ")


def parse_kv(text):
    """'key: value' lines (blank lines and '#' comments skipped) → [(key, value)]."""
    assert text.endswith("\n"), "does not end with a newline: %r" % text[-80:]
    out = []
    for line in text.split("\n")[:-1]:
        if not line.strip() or line.startswith("#"):
            continue
        m = re.match(r"^([A-Za-z0-9_.\-]+):(?: (.*))?$", line)
        assert m, "not a 'key: value' line: %r" % line
        out.append((m.group(1), m.group(2) or ""))
    return out


def kv_dict(text):
    pairs = parse_kv(text)
    keys = [k for k, _ in pairs]
    assert len(set(keys)) == len(keys), "duplicate keys: %r" % keys
    return dict(pairs)


def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


CELL_RE = re.compile(r"\S+(?: {1,2}\S+)*")


def parse_table(text):
    """A kubectl-style table (upper-case header, columns at least three spaces apart,
    every row's cells starting at the header's display columns) → (header, [row dict]).
    Stops at the first blank line."""
    assert text.endswith("\n"), "does not end with a newline: %r" % text[-80:]
    lines = text.split("\n")[:-1]
    if "" in lines:
        lines = lines[:lines.index("")]
    assert lines, "no table header in %r" % text

    def cells(line):
        assert line == line.rstrip(), "trailing blanks in %r" % line
        return [(width(line[:m.start()]), m.group(0)) for m in CELL_RE.finditer(line)]

    head = cells(lines[0])
    header = [c for _, c in head]
    assert all(h == h.upper() for h in header), header
    rows = []
    for line in lines[1:]:
        row = cells(line)
        assert [pos for pos, _ in row] == [pos for pos, _ in head], \
            "misaligned row %r under %r" % (line, lines[0])
        rows.append(dict(zip(header, (c for _, c in row))))
    return header, rows


def cell(value):
    """A table cell of a server value: "<none>" when empty."""
    if value is None or value == "":
        return "<none>"
    return one_line(str(value))


AGE_RE = re.compile(r"^(\d+)([smhd])$")
UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_time(ts):
    """Epoch seconds of an ISO-8601 (UTC unless zoned) or 'yyyy-MM-dd HH:mm:ss' (local) time."""
    if not ts:
        return None
    m = re.match(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$", ts)
    if not m:
        return None
    base = datetime.strptime(m.group(1) + " " + m.group(2), "%Y-%m-%d %H:%M:%S")
    zone = m.group(4)
    if "T" in ts or zone:
        off = 0
        if zone and zone != "Z":
            z = zone.replace(":", "")
            off = (1 if z[0] == "+" else -1) * (int(z[1:3]) * 3600 + int(z[3:5]) * 60)
        return base.replace(tzinfo=timezone.utc).timestamp() - off
    return base.timestamp()


def age_ok(text, ts, fetched_before=600.0):
    """Whether an AGE cell fits the timestamp, for data fetched at most fetched_before
    seconds ago."""
    t = parse_time(ts)
    if t is None:
        return text == "<unknown>"
    m = AGE_RE.match(text)
    if not m:
        return False
    lo = int(m.group(1)) * UNIT[m.group(2)]
    hi = lo + UNIT[m.group(2)]
    now = time.time()
    newest = max(0.0, now - t) + 2
    oldest = max(0.0, now - t - fetched_before) - 2
    return lo <= newest and hi > oldest


# ---------------------------------------------------------------- running programs, errno

def run(*cmd, timeout=60, check=True, **kw):
    """A real program; stdout/stderr as bytes."""
    r = subprocess.run(list(cmd), capture_output=True, timeout=timeout, **kw)
    if check:
        assert r.returncode == 0, "%r exited %d: %r" % (cmd, r.returncode, r.stderr[-2000:])
    return r


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def failure(fn, *args):
    """(errno, seconds) of a call that must fail with OSError."""
    t0 = time.monotonic()
    try:
        fn(*args)
    except OSError as e:
        return e.errno, time.monotonic() - t0
    raise AssertionError("%s%r did not fail" % (getattr(fn, "__name__", fn), args))


def errname(n):
    return errno.errorcode.get(n, str(n))


def for_each(items, check):
    """Runs check(item) for every item and reports every failure, not just the first."""
    errors = []
    for it in items:
        try:
            check(it)
        except AssertionError as e:
            errors.append("%r: %s" % (it, e))
    assert not errors, "%d of %d failed:\n%s" % (len(errors), len(items),
                                                 "\n".join(errors[:15]))


# ---------------------------------------------------------------- module-scoped fixtures

@pytest.fixture(scope="module")
def ro_sim():
    """A demo emulator shared by the read-only tests of one module; its operations never
    complete on their own, so its answers do not change while the module runs."""
    s = Sim(transition_ms=HOLD_MS)
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def ro_mnt(ro_sim):
    """The admin's mount of ro_sim with TTLs longer than the module: every file is
    rendered from one answer per request for the whole module."""
    m = Mount(ro_sim, options=LONG_TTL)
    try:
        yield m
    finally:
        m.unmount()


@pytest.fixture(scope="module")
def ro_layout(ro_sim):
    return Layout(Api(ro_sim))


def mount_fails(sim, options=(), token=None, env=None, timeout=20):
    """Runs c7nfs -f expecting it to refuse to mount: returns (exit status, stderr,
    seconds). token: a user name or raw token for C7NFS_TOKEN, None for no variable."""
    path = tempfile.mkdtemp(prefix="c7nfs-mnt-")
    e = dict(os.environ)
    e.pop("C7NFS_TOKEN", None)
    if token is not None:
        e["C7NFS_TOKEN"] = TOKENS.get(token, token)
    e["HOME"] = tempfile.mkdtemp(prefix="c7nfs-home-")
    e["LSAN_OPTIONS"] = "suppressions=" + LSAN_SUPP
    e.update(env or {})
    cmd = [C7NFS_BIN, "-f", "-o", ",".join(["server=" + sim.url] + list(options)), path]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=e)
    try:
        wait_until(lambda: proc.poll() is not None or os.path.ismount(path), timeout=timeout,
                   what="c7nfs to give up")
        mounted = in_proc_mounts(path)
        if mounted:
            subprocess.run(["fusermount3", "-u", path], capture_output=True, timeout=30)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.rmdir(path)
    assert not mounted, "c7nfs mounted although it should refuse:\n" + err
    assert not SANITIZER_RE.search(err), "sanitizer report from c7nfs:\n" + err
    return proc.returncode, err, time.monotonic() - t0


# ================================================================ helpers of the write tests
#
# test_edit_*.py, test_control_*.py and test_write_errors.py change instances through the
# mount and check on the emulator which operation requests reached it (design.md §3, §4).

T_O1 = "PUT " + DV + "/app_service_instances"
T_O2 = "PUT " + INS + "/restart"
T_O3 = "PUT " + INS + "/stop"
T_O4 = "PUT " + INS + "/start"
T_O5 = "DELETE " + INS + "/delete"
T_V3 = "GET " + INS + "/appServiceVersion/{v}/upgrade_value"
OPERATIONS = (T_O1, T_O2, T_O3, T_O4, T_O5)
# The one request each verb sends (upgrade is an update with another version).
VERB_REQUEST = {"edit": T_O1, "upgrade": T_O1, "redeploy": T_O2, "stop": T_O3, "start": T_O4,
                "delete": T_O5}
MANAGED = tuple(sorted(INSTANCE_FILES + INSTANCE_DIRS))
# Short TTLs, so that the end of an operation shows in status soon after /_sim/advance.
WRITE_TTL = ("ttl_status_ms=300", "ttl_list_ms=300")
DEMO_DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "contrib", "devops-sim", "demo-data.yaml")


@pytest.fixture
def edit_mount_factory():
    """Like mount_factory, but the mount points live under /var/tmp: vim's default
    'backupskip' (/tmp/*) and emacs's backup predicate (temporary-file-directory) skip
    the backup step for files under /tmp, and the editor tests need the real sequence."""
    root = tempfile.mkdtemp(prefix="c7nfs-edit-", dir="/var/tmp")
    try:
        yield from _mounts(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def demo_data_file(directory, change):
    """The demo data with change(data) applied, written to directory; returns the path
    (for `c7n-devops-sim --data`)."""
    with open(DEMO_DATA, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    change(data)
    path = os.path.join(str(directory), "data.yaml")
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(data, f, allow_unicode=True, sort_keys=False)
    return path


def demo_project(data, code):
    return next(p for p in data["projects"] if p["code"] == code)


def yaml_error_position(text):
    """(line, column), 1-based, where libyaml stops parsing text (PyYAML's C loader is
    the same parser c7nfs uses); None when text parses."""
    try:
        yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        return mark.line + 1, mark.column + 1
    return None


def errno_line(err):
    return "errno: %s (%s)" % (errname(err), os.strerror(err))


class Target:
    """One instance changed through a mount, with what the emulator (asked as admin) and
    the mount say about it."""

    def __init__(self, sim, mnt, code):
        self.sim = sim
        self.m = mnt
        self.api = Api(sim)
        self.lay = Layout(self.api)
        found = [i for i in self.lay.instances if i.code == code]
        assert len(found) == 1, "no instance %r in the demo data" % code
        self.inst = found[0]
        self.code = code
        self.dir = mnt.p(*self.inst.parts)

    def path(self, name="values.yaml"):
        return os.path.join(self.dir, name)

    def read(self, name="values.yaml"):
        return read_bytes(self.path(name)).decode("utf-8")

    def item(self):
        return self.api.instance(self.inst.p, self.inst.id)

    def deployed(self):
        """V1: the values the server has now."""
        return self.api.values(self.inst.p, self.inst.id)

    def stats(self):
        return self.sim.stats()

    def ops_since(self, before):
        """{operation template: count} of the O1–O5 requests made since before."""
        delta = stats_delta(before, self.sim.stats())
        return {k: n for k, n in delta.items() if k in OPERATIONS}

    def status(self):
        return kv_dict(self.read("status"))

    def state(self):
        return self.status()["state"].split(" ")[0]

    def wait_state(self, zh, timeout=15):
        return wait_until(lambda: self.state() == zh, timeout=timeout,
                          what="state %s of %s (now %s)" % (zh, self.code, self.state()))

    def listing(self):
        return sorted(os.listdir(self.dir))

    def last_error(self):
        return self.read("last_error")

    def log(self):
        return self.m.read(".c7nfs", "log")

    def check_saved(self, before, text, keep=()):
        """One commit of text: exactly one O1, carrying text (V1 == text byte for byte),
        values.yaml reads it back, 更新中 until /_sim/advance and then 更新完成, no error
        recorded and no scratch file left but the names in keep."""
        assert self.ops_since(before) == {T_O1: 1}
        assert self.deployed() == text
        assert self.read() == text
        assert os.stat(self.path()).st_size == len(text.encode("utf-8"))
        assert self.state() == "更新中"
        assert self.listing() == sorted(MANAGED + tuple(keep))
        assert self.last_error() == "", "a failure recorded for a good save:\n" + \
            self.last_error()
        assert " ERROR " not in self.log(), self.log()
        self.api.advance()
        self.wait_state("更新完成")
        assert self.read() == text
        assert self.deployed() == text

    def check_rejected(self, before, deployed, text, err):
        """A refused commit of text: no operation request, values.yaml still reads the
        deployed text, values.yaml.rejected holds text, last_error and .c7nfs/log say
        why in git's style. Returns last_error's summary line."""
        assert self.ops_since(before) == {}
        assert self.deployed() == deployed
        shown = self.read()
        assert shown == deployed, "values.yaml does not read the deployed text: %s" % (
            "it reads the text it had before" if shown != text else "it reads the refused text")
        assert self.read("values.yaml.rejected") == text
        return self.check_error("save 'values.yaml' of", err)

    def check_error(self, what, err):
        """last_error records a failure with err; its summary line starts with
        "cannot WHAT 'CODE': " (what: one string or a tuple of accepted ones) and is also
        a line of .c7nfs/log. Returns the summary."""
        lines = self.last_error().split("\n")
        assert lines[-1] == "", lines
        assert errno_line(err) in lines, lines
        summary = lines[-2]
        prefixes = ["cannot %s '%s': " % (w, self.code)
                    for w in (what if isinstance(what, tuple) else (what,))]
        assert any(summary.startswith(p) and len(summary) > len(p) for p in prefixes), \
            (summary, prefixes)
        log = self.log().split("\n")
        assert any(l.endswith(" " + summary) and " ERROR " in l for l in log), \
            (summary, log[-5:])
        return summary

    def check_yaml_error(self, summary, text):
        """The summary of a refused text names libyaml's line and column."""
        line, col = yaml_error_position(text)
        assert ": yaml: line %d, column %d: " % (line, col) in summary, (summary, line, col)

    def check_good_save_clears_rejected(self):
        """After a refusal: a valid save is sent and values.yaml.rejected disappears."""
        assert "values.yaml.rejected" in self.listing()
        good = self.deployed() + "goodSave: 1\n"
        before = self.stats()
        assert write_values(self.path(), good) == 0
        assert self.ops_since(before) == {T_O1: 1}
        assert self.deployed() == good
        assert "values.yaml.rejected" not in self.listing()


def write_values(path, text, flags=os.O_WRONLY | os.O_TRUNC):
    """open + write + close of values.yaml; returns 0 or the errno of the failing call."""
    try:
        fd = os.open(path, flags)
    except OSError as e:
        return e.errno
    try:
        os.write(fd, text.encode("utf-8"))
    except OSError as e:
        os.close(fd)
        return e.errno
    try:
        os.close(fd)
    except OSError as e:
        return e.errno
    return 0


def write_control(path, line):
    """echo LINE > control as one write(2); returns 0 or the errno (of open, write or
    close)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    except OSError as e:
        return e.errno
    err = 0
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
    except OSError as e:
        err = e.errno
    try:
        os.close(fd)
    except OSError as e:
        err = err or e.errno
    return err


EDIT_CODE = "demo-api-7f3k2"   # 更新完成 in the demo data, clean values, admin may deploy


@pytest.fixture
def edit_target(sim0, edit_mount_factory):
    """demo-api-7f3k2 on an admin mount (under /var/tmp) of an emulator whose
    operations complete only on /_sim/advance."""
    return Target(sim0, edit_mount_factory(sim0, options=WRITE_TTL), EDIT_CODE)


def replaced_once(text, old, new):
    assert text.count(old) == 1, "%r is not in the text exactly once" % old
    return text.replace(old, new)


def api_delete(api, p, i):
    """O5 straight to the emulator (Api has stop, start and redeploy)."""
    api.accepted("DELETE", api.ins(p, i, "/delete"))
