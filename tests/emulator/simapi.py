"""Client, discovery and shape assertions for the emulator contract tests.

The contract is /work/shared/docs/choerodon-api.md (devops-service 2.0.x). Nothing here
hard-codes demo ids or codes: tests discover projects (A4), environments (E1) and
instances (I1) through the API and pick what they need by its fields.

Fixtures defined here are imported by the test modules (`from simapi import ...`).
"""
import copy
import re
from urllib.parse import quote, urlencode

import pytest
import yaml

from conftest import Sim

# A transition this long never completes during a test: commands stay operating until
# POST /_sim/advance, which makes the state machine deterministic.
HOLD_MS = 600000

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")

INSTANCE_STATUSES = {"operating", "running", "failed", "stopped"}
COMMAND_TYPES = {"create", "stop", "restart", "delete", "update", "sync"}
COMMAND_STATUSES = {"success", "failed", "operating"}
EVENT_TYPES = {"create", "update", "delete"}
JOB_STATUSES = {"success", "fail", "running"}
EMPTY_SEARCH = {"searchParam": {}, "params": []}

PAGE_KEYS = ("totalPages", "totalElements", "numberOfElements", "size", "number", "content")
E1_KEYS = ("id", "name", "code", "active", "connect", "connected", "synchro", "failed",
           "permission", "skipCheckPermission", "clusterId", "clusterName")
E2_KEYS = ("id", "name", "code", "connect", "instances", "services", "ingresses",
           "certifications", "configMaps", "secrets", "customResources", "pvcs")
E2_INSTANCE_KEYS = ("id", "name", "appId", "code", "podCount", "podRunningCount", "status")
E4_KEYS = ("id", "code", "name", "active", "connect", "synchronize", "fail", "clusterId",
           "clusterName", "skipCheckPermission", "objectVersionNumber", "gitopsStatus")
I1_KEYS = ("id", "code", "status", "source", "podCount", "podRunningCount", "appServiceId",
           "appServiceVersionId", "lastUpdateDate", "objectVersionNumber", "versionName",
           "appServiceName", "appServiceType", "projectId", "commandType", "commandStatus",
           "commandVersionId", "commandVersion", "connect")
I3_KEYS = I1_KEYS + ("name", "environmentId")
I4_KEYS = ("podVOS", "deploymentVOS", "replicaSetVOS", "serviceVOS", "ingressVOS",
           "daemonSetVOS", "statefulSetVOS", "persistentVolumeClaimVOS")
O1_KEYS = ("id", "appServiceId", "envId", "appServiceVersionId", "code", "status", "commandId",
           "commandStatus", "commandType", "commandVersion", "commandVersionId", "connect",
           "projectId")
I8_KEYS = ("commandId", "type", "status", "createTime", "loginName", "realName", "podEventVO")
POD_KEYS = ("id", "instanceId", "name", "ip", "ready", "status", "creationDate", "appServiceName",
            "appServiceVersion", "instanceCode", "namespace", "envId", "envCode", "projectId",
            "connect", "containers", "restartCount", "nodeName")
VERSION_KEYS = ("id", "version", "appServiceId", "creationDate")
UPGRADE_VERSION_KEYS = ("id", "version", "appServiceName", "appServiceCode", "appServiceId",
                        "creationDate")


# ---------------------------------------------------------------- assertions

def is_id(v):
    """Encrypted ids are opaque non-empty strings (choerodon-api.md §2.4)."""
    return isinstance(v, str) and v != ""


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def assert_keys(obj, keys, what):
    assert isinstance(obj, dict), "%s is not an object: %r" % (what, obj)
    missing = [k for k in keys if k not in obj]
    assert not missing, "%s lacks %s: %r" % (what, missing, obj)


def assert_error(r, code):
    """A business error: HTTP 200, {"failed":true,"code":CODE,"message":str} (§2.6)."""
    assert r.status == 200, \
        "expected HTTP 200 business error %s, got %d %r" % (code, r.status, r.body[:300])
    body = r.json()
    assert isinstance(body, dict), body
    assert body.get("failed") is True, "expected failed:true with %s, got %r" % (code, body)
    assert body.get("code") == code, "expected code %s, got %r" % (code, body)
    assert isinstance(body.get("message"), str), "message must be a string: %r" % (body,)


def assert_accepted(r):
    """stop/start/restart/delete answer 204 No Content (§2.6)."""
    assert r.status == 204, "expected 204, got %d %r" % (r.status, r.body[:300])
    assert r.body == b"", r.body


def assert_page(pg, number, size, total=None):
    """The choerodon Page envelope with numbers consistent with page/size (§2.5)."""
    assert_keys(pg, PAGE_KEYS, "Page")
    for k in PAGE_KEYS[:-1]:
        assert is_int(pg[k]), "Page.%s must be an integer: %r" % (k, pg[k])
    assert isinstance(pg["content"], list)
    assert pg["number"] == number, pg
    assert pg["size"] == size, pg
    n = pg["totalElements"]
    if total is not None:
        assert n == total, "totalElements %d, expected %d" % (n, total)
    assert pg["totalPages"] == (n + size - 1) // size, pg
    assert pg["numberOfElements"] == len(pg["content"]), pg
    assert len(pg["content"]) == max(0, min(size, n - number * size)), pg


def assert_date(v, what):
    assert isinstance(v, str) and DATE_RE.match(v), "%s is not 'yyyy-MM-dd HH:mm:ss': %r" % (what, v)


def assert_iso(v, what):
    assert isinstance(v, str) and ISO_RE.match(v), "%s is not an ISO-8601 timestamp: %r" % (what, v)


def check_e1_env(env):
    assert_keys(env, E1_KEYS, "E1 environment")
    assert is_id(env["id"]), env
    assert isinstance(env["name"], str) and isinstance(env["code"], str), env
    assert env["active"] is True, env
    assert isinstance(env["connect"], bool), env
    assert env["connected"] is env["connect"], "connect and connected differ: %r" % env
    assert isinstance(env["synchro"], bool), env
    assert env["failed"] is False, env
    assert isinstance(env["permission"], bool), env
    assert isinstance(env["skipCheckPermission"], bool), env
    assert is_id(env["clusterId"]), env
    assert isinstance(env["clusterName"], str), env


def check_instance(it, project_id, detail=False):
    """An I1 item (detail=False) or an I3 answer (detail=True)."""
    assert_keys(it, I3_KEYS if detail else I1_KEYS, "I3 instance" if detail else "I1 item")
    for k in ("id", "appServiceId", "appServiceVersionId", "commandVersionId"):
        assert is_id(it[k]), "%s must be an id string: %r" % (k, it)
    for k in ("code", "versionName", "appServiceName", "appServiceType", "commandVersion", "source"):
        assert isinstance(it[k], str) and it[k], "%s must be a non-empty string: %r" % (k, it)
    assert it["status"] in INSTANCE_STATUSES, it
    assert it["commandType"] in COMMAND_TYPES, it
    assert it["commandStatus"] in COMMAND_STATUSES, it
    assert is_int(it["podCount"]) and is_int(it["podRunningCount"]), it
    assert 0 <= it["podRunningCount"] <= it["podCount"], it
    assert is_int(it["objectVersionNumber"]), it
    assert is_int(it["projectId"]) and it["projectId"] == project_id, it
    assert isinstance(it["connect"], bool), it
    assert_date(it["lastUpdateDate"], "lastUpdateDate")
    assert it.get("error") is None or isinstance(it["error"], str), it
    if detail:
        assert isinstance(it["name"], str) and it["name"], it
        assert is_id(it["environmentId"]), it


def check_event(ev):
    assert_keys(ev, I8_KEYS, "I8 event")
    assert is_id(ev["commandId"]), ev
    assert ev["type"] in EVENT_TYPES, "I8 lists only create/update/delete: %r" % ev
    assert ev["status"] in COMMAND_STATUSES, ev
    assert_date(ev["createTime"], "createTime")
    assert isinstance(ev["loginName"], str) and ev["loginName"], ev
    assert isinstance(ev["realName"], str), ev
    assert isinstance(ev["podEventVO"], list), ev
    seen_pod = False
    for pe in ev["podEventVO"]:
        assert_keys(pe, ("name", "event"), "podEventVO entry")
        assert isinstance(pe["name"], str) and pe["name"], pe
        assert isinstance(pe["event"], str), pe
        if pe.get("jobPodStatus") is None:
            seen_pod = True
            assert pe.get("log") is None, "only jobs carry a log: %r" % pe
        else:
            assert not seen_pod, "job entries must come before pod entries: %r" % ev["podEventVO"]
            assert pe["jobPodStatus"] in JOB_STATUSES, pe
            assert isinstance(pe.get("log"), str), "a job entry carries its log: %r" % pe


def jobs_of(ev):
    return [pe for pe in ev["podEventVO"] if pe.get("jobPodStatus") is not None]


# ---------------------------------------------------------------- values

def load_values(text):
    data = yaml.safe_load(text)
    return data if data is not None else {}


def dump_values(data):
    return yaml.safe_dump(data, default_flow_style=False, sort_keys=False)


def clean_values(text):
    """The values without the emulator's c7nsim trigger block."""
    data = load_values(text)
    assert isinstance(data, dict), "values are not a YAML mapping: %r" % text
    data.pop("c7nsim", None)
    return data


def with_flags(data, **flags):
    out = copy.deepcopy(data)
    out["c7nsim"] = dict(flags)
    return out


def deep_merge(base, overlay):
    """overlay merged into base: mappings recursively, everything else replaced."""
    if not (isinstance(base, dict) and isinstance(overlay, dict)):
        return copy.deepcopy(overlay)
    out = copy.deepcopy(base)
    for k, v in overlay.items():
        out[k] = deep_merge(out[k], v) if k in out else copy.deepcopy(v)
    return out


def delta(user, defaults):
    """The part of user that differs from defaults (what the user changed)."""
    out = {}
    for k, v in user.items():
        d = defaults.get(k) if isinstance(defaults, dict) else None
        if isinstance(v, dict) and isinstance(d, dict):
            sub = delta(v, d)
            if sub:
                out[k] = sub
        elif k not in (defaults or {}) or v != d:
            out[k] = copy.deepcopy(v)
    return out


def leaves(data, prefix=()):
    """{path-tuple: scalar} of a nested mapping."""
    out = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out.update(leaves(v, prefix + (k,)))
    else:
        out[prefix] = data
    return out


# ---------------------------------------------------------------- client

def q(x):
    return quote(str(x), safe="-._~=")


def dv(p, rest=""):
    return "/devops/v1/projects/%s%s" % (p, rest)


def ins(p, i, rest=""):
    return dv(p, "/app_service_instances/%s%s" % (q(i), rest))


class Api:
    """Typed calls of the endpoints of choerodon-api.md §1 against one emulator."""

    def __init__(self, sim):
        self.sim = sim

    def call(self, method, path, query=None, token="admin", **kw):
        if query:
            path += "?" + urlencode(query)
        return self.sim.request(method, path, token=token, **kw)

    def ok(self, method, path, **kw):
        r = self.call(method, path, **kw)
        assert r.status == 200, "%s %s: HTTP %d %r" % (method, path, r.status, r.body[:300])
        data = r.json()
        if isinstance(data, dict):
            assert data.get("failed") is not True, "%s %s: business error %r" % (method, path, data)
        return data

    # IAM
    def user(self, token="admin"):
        return self.ok("GET", "/iam/choerodon/v1/users/self", token=token)

    def tenants(self, token="admin"):
        return self.ok("GET", "/iam/choerodon/v1/users/self-tenants", token=token)

    def projects(self, token="admin"):
        uid = self.user(token)["id"]
        return self.ok("GET", "/iam/choerodon/v1/users/%s/projects" % q(uid), token=token)

    # environments
    def envs(self, p, token="admin"):
        return self.ok("GET", dv(p, "/envs/list_by_active"), query={"active": "true"}, token=token)

    def tree(self, p, token="admin"):
        return self.ok("GET", dv(p, "/envs/resource_tree_menu"), token=token)

    def env_info(self, p, e, token="admin"):
        return self.ok("GET", dv(p, "/envs/%s/info" % q(e)), token=token)

    def env_check(self, p, e, i, token="admin"):
        return self.ok("GET", dv(p, "/envs/%s/check" % q(e)),
                       query={"type": "instance", "object_id": i}, token=token)

    # instances
    def page(self, p, e, page=None, size=None, sort=None, body=EMPTY_SEARCH, token="admin"):
        query = [("env_id", e)]
        for k, v in (("page", page), ("size", size), ("sort", sort)):
            if v is not None:
                query.append((k, v))
        return self.ok("POST", dv(p, "/app_service_instances/info/page_by_options"),
                       query=query, body=body, token=token)

    def instances(self, p, e, token="admin"):
        pg = self.page(p, e, page=0, size=1000, token=token)
        assert pg["totalElements"] <= 1000, pg["totalElements"]
        return pg["content"]

    def instance_raw(self, p, i, token="admin"):
        return self.call("GET", ins(p, i), token=token)

    def instance(self, p, i, token="admin"):
        """I3; None for the empty 200 answer of a missing instance (§2.6)."""
        r = self.instance_raw(p, i, token=token)
        assert r.status == 200, "I3 %s: HTTP %d %r" % (i, r.status, r.body[:300])
        if not r.body.strip():
            return None
        data = r.json()
        assert isinstance(data, dict) and data.get("failed") is not True, data
        return data

    def resources(self, p, i):
        return self.ok("GET", ins(p, i, "/resources"))

    def detail_json_raw(self, p, i, name):
        return self.call("GET", ins(p, i, "/deployment_detail_json"), query={"deployment_name": name})

    def detail_yaml_raw(self, p, i, name):
        return self.call("GET", ins(p, i, "/deployment_detail_yaml"), query={"deployment_name": name})

    def pods(self, p, e, i, page=0, size=20):
        return self.ok("POST", dv(p, "/pods/page_by_options"),
                       query={"env_id": e, "instance_id": i, "page": page, "size": size},
                       body=EMPTY_SEARCH)

    def events(self, p, i, token="admin"):
        return self.ok("GET", ins(p, i, "/events"), token=token)

    def command_ids(self, p, i):
        return [ev["commandId"] for ev in self.events(p, i)]

    # values and versions
    def values(self, p, i):
        return self.ok("GET", ins(p, i, "/values"))

    def last_deploy_value(self, p, i):
        return self.ok("GET", ins(p, i, "/last_deploy_value"))

    def upgrade_value(self, p, i, v):
        return self.ok("GET", ins(p, i, "/appServiceVersion/%s/upgrade_value" % q(v)))

    def version_defaults(self, p, v):
        """V4 with type=create: the default values of version v."""
        return self.ok("GET", dv(p, "/app_service_instances/deploy_value"),
                       query={"type": "create", "version_id": v})

    def value_format(self, p, text):
        return self.ok("POST", dv(p, "/app_service_instances/value_format"), body={"yaml": text})

    def versions_page(self, p, app, page=0, size=40, version=None):
        query = {"app_service_id": app, "deploy_only": "true", "do_page": "true",
                 "page": page, "size": size}
        if version is not None:
            query["version"] = version
        return self.ok("POST", dv(p, "/app_service_versions/page_by_options"), query=query,
                       raw_body=b"null", headers={"Content-Type": "application/json"})

    def versions(self, p, app):
        pg = self.versions_page(p, app, size=1000)
        return pg["content"]

    def upgrade_versions(self, p, v):
        return self.ok("GET", dv(p, "/app_service_versions/version/%s/upgrade_version" % q(v)))

    # operations
    def update(self, p, info, values, version_id=None, token="admin"):
        """O1 with the ids of an I3 answer; values is YAML text or a mapping."""
        body = {"instanceId": info["id"], "environmentId": info["environmentId"],
                "appServiceId": info["appServiceId"],
                "appServiceVersionId": version_id or info["appServiceVersionId"],
                "values": values if isinstance(values, str) else dump_values(values),
                "type": "update"}
        return self.update_body(p, body, token=token)

    def update_body(self, p, body, token="admin"):
        return self.call("PUT", dv(p, "/app_service_instances"), body=body, token=token)

    def redeploy(self, p, i, token="admin"):
        return self.call("PUT", ins(p, i, "/restart"), token=token)

    def stop(self, p, i, token="admin"):
        return self.call("PUT", ins(p, i, "/stop"), token=token)

    def start(self, p, i, token="admin"):
        return self.call("PUT", ins(p, i, "/start"), token=token)

    def delete(self, p, i, token="admin"):
        return self.call("DELETE", ins(p, i, "/delete"), token=token)

    # control API
    def advance(self):
        r = self.sim.advance()
        assert r.status in (200, 204), (r.status, r.body)

    def deploy(self, p, info, values, version_id=None):
        """O1 that must be accepted, then completed with /_sim/advance; returns the O1 answer."""
        r = self.update(p, info, values, version_id)
        assert r.status == 200, (r.status, r.body[:300])
        out = r.json()
        assert out.get("failed") is not True, out
        self.advance()
        return out


# ---------------------------------------------------------------- discovery

class Inst:
    """One instance as found through A4 → E1 → I1, with its project and environment."""

    def __init__(self, project, env, item):
        self.project = project
        self.p = project["id"]
        self.env = env
        self.e = env["id"]
        self.item = item
        self.id = item["id"]
        self.code = item["code"]

    def __repr__(self):
        return "<instance %s in %s/%s, %s>" % (self.code, self.project.get("code"),
                                             self.env.get("code"), self.item.get("status"))


class World:
    """The organisation as one user sees it: projects (A4), environments (E1), instances (I1)."""

    def __init__(self, api, token="admin"):
        self.api = api
        self.projects = api.projects(token)
        assert self.projects, "user %s has no projects" % token
        self.envs = {}
        self.instances = []
        for pr in self.projects:
            self.envs[pr["id"]] = api.envs(pr["id"], token=token)
            for env in self.envs[pr["id"]]:
                for it in api.instances(pr["id"], env["id"], token=token):
                    self.instances.append(Inst(pr, env, it))

    @property
    def main(self):
        """The project with the most environments (the demo's has ≥4, one disconnected)."""
        return max(self.projects, key=lambda pr: len(self.envs[pr["id"]]))

    def all_envs(self):
        return [(pr, env) for pr in self.projects for env in self.envs[pr["id"]]]

    def find(self, status=None, connected=True, clean=True, exclude=(), where=None):
        """All instances matching; clean = deployed values carry no c7nsim trigger."""
        out = []
        for inst in self.instances:
            if status is not None and inst.item["status"] != status:
                continue
            if connected is not None and inst.env["connect"] is not connected:
                continue
            if inst.id in exclude or (where is not None and not where(inst)):
                continue
            if clean and "c7nsim" in load_values(self.api.values(inst.p, inst.id)["yaml"]):
                continue
            out.append(inst)
        return out

    def pick(self, **kw):
        found = self.find(**kw)
        assert found, "demo data has no instance with %r" % (kw,)
        return found[0]


# ---------------------------------------------------------------- fixtures

def _running(args=(), transition_ms=HOLD_MS):
    s = Sim(args, transition_ms=transition_ms)
    try:
        yield Api(s)
    finally:
        s.stop()


@pytest.fixture
def api():
    """A fresh demo emulator whose commands stay operating until /_sim/advance."""
    yield from _running()


@pytest.fixture(scope="module")
def ro_api():
    """A demo emulator shared by the read-only tests of one module."""
    yield from _running()


@pytest.fixture(scope="module")
def ro_world(ro_api):
    return World(ro_api)


@pytest.fixture
def world(api):
    return World(api)
