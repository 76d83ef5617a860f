"""Control API: /_sim/stats, /_sim/faults, /_sim/reset; --data loading."""
import collections
import http.client
import os
import time
import urllib.error

import pytest

from conftest import ROOT
from simapi import EMPTY_SEARCH, Api, assert_keys, clean_values, dv, ins, is_int, q, with_flags

pytest_plugins = ("simapi",)  # the emulator fixtures

DEMO_DATA = os.path.join(ROOT, "contrib", "devops-sim", "demo-data.yaml")
DV = "/devops/v1/projects/{p}"
INS = DV + "/app_service_instances/{i}"


def timed(fn):
    t0 = time.monotonic()
    out = fn()
    return time.monotonic() - t0, out


def e1_status(api, p):
    return api.call("GET", dv(p, "/envs/list_by_active"), query={"active": "true"})


# ---------------------------------------------------------------- stats

def endpoint_calls(api, world):
    """One call of each endpoint of §1 (a few twice), as (path template, thunk) pairs.

    Everything the calls need is read beforehand, so each thunk is exactly one request."""
    inst = world.pick(status="running")
    other = world.pick(status="running", clean=False, exclude={inst.id})
    third = world.pick(status="running", clean=False, exclude={inst.id, other.id})
    stopped = world.pick(status="stopped", clean=False)
    failed = world.pick(status="failed", clean=False)
    p, e, i = inst.p, inst.e, inst.id
    info = api.instance(p, i)
    dep = api.resources(p, i)["deploymentVOS"][0]["name"]
    v = info["appServiceVersionId"]
    uid = api.user()["id"]
    o1_values = with_flags(clean_values(api.values(p, i)["yaml"]), pod_status="Running")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    return [
        ("POST /oauth/oauth/token", lambda: api.call(
            "POST", "/oauth/oauth/token", token=None, headers=form,
            raw_body="grant_type=password&username=dev&password=dev&client_id=x")),
        ("GET /iam/choerodon/v1/users/self", lambda: api.call("GET", "/iam/choerodon/v1/users/self")),
        ("GET /iam/choerodon/v1/users/self-tenants",
         lambda: api.call("GET", "/iam/choerodon/v1/users/self-tenants")),
        ("GET /iam/choerodon/v1/users/{userId}/projects",
         lambda: api.call("GET", "/iam/choerodon/v1/users/%s/projects" % q(uid))),
        ("GET " + DV + "/envs/list_by_active", lambda: e1_status(api, p)),
        ("GET " + DV + "/envs/list_by_active",
         lambda: api.call("GET", dv(p, "/envs/list_by_active"), query={"active": "false"})),
        ("GET " + DV + "/envs/resource_tree_menu",
         lambda: api.call("GET", dv(p, "/envs/resource_tree_menu"))),
        ("GET " + DV + "/envs/{e}/info", lambda: api.call("GET", dv(p, "/envs/%s/info" % q(e)))),
        ("GET " + DV + "/envs/{e}/check", lambda: api.call(
            "GET", dv(p, "/envs/%s/check" % q(e)), query={"type": "instance", "object_id": i})),
        ("POST " + DV + "/app_service_instances/info/page_by_options", lambda: api.call(
            "POST", dv(p, "/app_service_instances/info/page_by_options"),
            query={"env_id": e, "page": 0, "size": 5}, body=EMPTY_SEARCH)),
        ("GET " + INS, lambda: api.call("GET", ins(p, i))),
        ("GET " + INS, lambda: api.call("GET", ins(other.p, other.id))),
        ("GET " + INS + "/resources", lambda: api.call("GET", ins(p, i, "/resources"))),
        ("GET " + INS + "/deployment_detail_json", lambda: api.call(
            "GET", ins(p, i, "/deployment_detail_json"), query={"deployment_name": dep})),
        ("GET " + INS + "/deployment_detail_yaml", lambda: api.call(
            "GET", ins(p, i, "/deployment_detail_yaml"), query={"deployment_name": dep})),
        ("POST " + DV + "/pods/page_by_options", lambda: api.call(
            "POST", dv(p, "/pods/page_by_options"), query={"env_id": e, "instance_id": i},
            body=EMPTY_SEARCH)),
        ("GET " + INS + "/events", lambda: api.call("GET", ins(p, i, "/events"))),
        ("GET " + INS + "/values", lambda: api.call("GET", ins(p, i, "/values"))),
        ("GET " + INS + "/last_deploy_value",
         lambda: api.call("GET", ins(p, i, "/last_deploy_value"))),
        ("GET " + INS + "/appServiceVersion/{v}/upgrade_value", lambda: api.call(
            "GET", ins(p, i, "/appServiceVersion/%s/upgrade_value" % q(v)))),
        ("POST " + DV + "/app_service_instances/value_format", lambda: api.call(
            "POST", dv(p, "/app_service_instances/value_format"), body={"yaml": "a: 1\n"})),
        ("POST " + DV + "/app_service_versions/page_by_options", lambda: api.call(
            "POST", dv(p, "/app_service_versions/page_by_options"),
            query={"app_service_id": info["appServiceId"], "deploy_only": "true",
                   "do_page": "true"}, body={})),
        ("GET " + DV + "/app_service_versions/version/{v}/upgrade_version", lambda: api.call(
            "GET", dv(p, "/app_service_versions/version/%s/upgrade_version" % q(v)))),
        ("PUT " + DV + "/app_service_instances", lambda: api.update(p, info, o1_values)),
        ("PUT " + INS + "/restart", lambda: api.call("PUT", ins(other.p, other.id, "/restart"))),
        ("PUT " + INS + "/stop", lambda: api.call("PUT", ins(third.p, third.id, "/stop"))),
        ("PUT " + INS + "/start", lambda: api.call("PUT", ins(stopped.p, stopped.id, "/start"))),
        ("DELETE " + INS + "/delete",
         lambda: api.call("DELETE", ins(failed.p, failed.id, "/delete"))),
    ]


def test_stats_count_each_endpoint_by_template(api, world):
    calls = endpoint_calls(api, world)
    base = api.sim.stats()
    assert_keys(base, ("total", "requests"), "stats")
    assert is_int(base["total"]) and isinstance(base["requests"], dict), base
    assert base["total"] == sum(base["requests"].values()), base
    for template, fn in calls:
        r = fn()
        assert r.status in (200, 204), (template, r.status, r.body[:200])
        body = r.json() if r.body.strip() else {}
        assert not (isinstance(body, dict) and body.get("failed") is True), (template, body)
    after = api.sim.stats()
    got = {k: n - base["requests"].get(k, 0) for k, n in after["requests"].items()}
    got = {k: n for k, n in got.items() if n}
    assert got == dict(collections.Counter(t for t, _ in calls))
    assert after["total"] - base["total"] == len(calls)
    assert after["total"] == sum(after["requests"].values())


def test_stats_exclude_control_api(api):
    first = api.sim.stats()
    api.sim.stats()
    api.advance()
    api.sim.faults(clear=True)
    assert api.sim.stats() == first
    assert not [k for k in first["requests"] if "/_sim" in k or "?" in k], first


def test_stats_count_business_errors_and_query_variants(api, world):
    inst = world.pick(status="stopped", clean=False)
    base = api.sim.stats()
    for _ in range(3):
        assert api.stop(inst.p, inst.id).json()["code"] == "error.instance.not.running"
    for sort in ("code,asc", "id,desc"):
        api.page(inst.p, inst.e, page=0, size=1, sort=sort)
    after = api.sim.stats()["requests"]
    assert after["PUT " + INS + "/stop"] - base["requests"].get("PUT " + INS + "/stop", 0) == 3
    key = "POST " + DV + "/app_service_instances/info/page_by_options"
    assert after[key] - base["requests"].get(key, 0) == 2


# ---------------------------------------------------------------- faults

def test_fault_latency(api, world):
    p = world.main["id"]
    fast, _ = timed(lambda: e1_status(api, p))
    api.sim.faults(latency_ms=400)
    slow, r = timed(lambda: e1_status(api, p))
    assert r.status == 200 and slow >= 0.4, slow
    slow2, _ = timed(lambda: api.call("GET", "/iam/choerodon/v1/users/self"))
    assert slow2 >= 0.4, slow2
    api.sim.faults(clear=True)
    after, r = timed(lambda: e1_status(api, p))
    assert r.status == 200 and after < 0.3, after


def test_fault_jitter(api, world):
    p = world.main["id"]
    api.sim.faults(latency_ms=200, jitter_ms=150)
    times = [timed(lambda: e1_status(api, p))[0] for _ in range(8)]
    assert min(times) >= 0.05 and max(times) <= 0.35 + 0.5, times
    assert max(times) - min(times) > 0.005, "jitter varies the latency: %r" % times


def test_fault_error_rate_one(api, world):
    p = world.main["id"]
    api.sim.faults(error_rate=1, error_status=503)
    for _ in range(5):
        assert e1_status(api, p).status == 503
    assert api.call("GET", "/iam/choerodon/v1/users/self").status == 503
    r = api.call("GET", "/_sim/stats", token=None)
    assert r.status == 200 and "total" in r.json(), "the control API is not affected"
    api.sim.faults(clear=True)
    assert e1_status(api, p).status == 200


def test_fault_error_rate_default_status_is_5xx(api, world):
    p = world.main["id"]
    api.sim.faults(error_rate=1)
    st = e1_status(api, p).status
    assert 500 <= st <= 599, st


def test_fault_error_rate_half(api, world):
    p = world.main["id"]
    api.sim.faults(error_rate=0.5, error_status=502)
    codes = collections.Counter(e1_status(api, p).status for _ in range(60))
    assert set(codes) == {200, 502}, codes
    assert 10 <= codes[502] <= 50, codes


def test_fault_down(api, world):
    p = world.main["id"]
    api.sim.faults(down=True)
    t0 = time.monotonic()
    with pytest.raises((OSError, urllib.error.URLError, http.client.HTTPException)):
        e1_status(api, p)
    assert time.monotonic() - t0 < 4, "a down server fails fast, it does not hang"
    api.sim.faults(clear=True)
    assert e1_status(api, p).status == 200


def test_fault_malformed(api, world):
    p = world.main["id"]
    api.sim.faults(malformed=True)
    r = e1_status(api, p)
    assert r.status == 200
    with pytest.raises(ValueError):
        r.json()
    r = api.call("GET", "/iam/choerodon/v1/users/self")
    with pytest.raises(ValueError):
        r.json()
    api.sim.faults(clear=True)
    assert isinstance(e1_status(api, p).json(), list)


def test_fault_clear_restores_everything(api, world):
    p = world.main["id"]
    api.sim.faults(latency_ms=300, error_rate=1, error_status=500, malformed=True)
    assert e1_status(api, p).status == 500
    api.sim.faults(clear=True)
    took, r = timed(lambda: e1_status(api, p))
    assert r.status == 200 and took < 0.25 and isinstance(r.json(), list), (took, r.status)


def test_faults_do_not_change_data(api, world):
    inst = world.pick(status="running", clean=False)
    api.sim.faults(error_rate=1, error_status=500)
    assert api.stop(inst.p, inst.id).status == 500
    api.sim.faults(clear=True)
    assert api.instance(inst.p, inst.id)["status"] == "running"


# ---------------------------------------------------------------- reset

def observable_state(api, world):
    out = {}
    for pr, env in world.all_envs():
        out[("env", env["id"])] = api.env_info(pr["id"], env["id"])["connect"]
    for inst in world.instances:
        info = api.instance(inst.p, inst.id)
        if info is None:
            out[inst.id] = None
            continue
        out[inst.id] = ({k: info.get(k) for k in (
            "code", "status", "commandType", "commandStatus", "versionName", "commandVersionId",
            "podCount", "podRunningCount", "error")},
            api.values(inst.p, inst.id)["yaml"],
            [(ev["commandId"], ev["type"], ev["status"]) for ev in api.events(inst.p, inst.id)])
    return out


def test_reset_restores_demo_data(api, world):
    before = observable_state(api, world)
    a, b, c = world.find(status="running", clean=False)[:3]
    api.stop(a.p, a.id)
    api.delete(b.p, b.id)
    api.update(c.p, api.instance(c.p, c.id), with_flags(clean_values(api.values(c.p, c.id)["yaml"]),
                                                         fail=True))
    api.advance()
    assert observable_state(api, world) != before
    r = api.sim.reset()
    assert r.status in (200, 204), (r.status, r.body)
    assert observable_state(api, world) == before


def test_reset_clears_faults_and_stats(api, world):
    p = world.main["id"]
    api.sim.faults(error_rate=1, error_status=502)
    assert e1_status(api, p).status == 502
    assert api.sim.stats()["total"] > 0
    assert api.sim.reset().status in (200, 204)
    assert api.sim.stats() == {"total": 0, "requests": {}}
    assert e1_status(api, p).status == 200


def test_reset_restores_in_progress_operation(api, world):
    busy = [i for i in world.instances if i.item["status"] == "operating"]
    assert busy
    api.advance()
    assert all(api.instance(i.p, i.id) is None or api.instance(i.p, i.id)["status"] != "operating"
               for i in busy)
    api.sim.reset()
    for inst in busy:
        assert api.instance(inst.p, inst.id)["status"] == "operating"


# ---------------------------------------------------------------- data file

def summary(api):
    out = []
    for pr in sorted(api.projects(), key=lambda x: x["code"]):
        for env in sorted(api.envs(pr["id"]), key=lambda x: x["code"]):
            items = sorted((it["code"], it["status"], it["appServiceName"], it["versionName"])
                           for it in api.instances(pr["id"], env["id"]))
            out.append((pr["code"], env["code"], env["connect"], tuple(items)))
    return out


def test_data_file_is_the_builtin_demo(sim_factory):
    assert os.path.exists(DEMO_DATA), "contrib/devops-sim/demo-data.yaml exists"
    builtin = Api(sim_factory())
    loaded = Api(sim_factory("--data", DEMO_DATA))
    assert summary(loaded) == summary(builtin)


def test_bad_data_file_is_refused(sim_factory, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("projects: [unclosed\n  - : :\n")
    with pytest.raises(RuntimeError):
        sim_factory("--data", str(bad))
    with pytest.raises(RuntimeError):
        sim_factory("--data", str(tmp_path / "missing.yaml"))
