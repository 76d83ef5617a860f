"""Instances: I1 paging/sort/search, I3 detail, I7 pods, demo coverage, --generate."""
import pytest

from simapi import (POD_KEYS, Api, assert_date, assert_keys, assert_page, check_e1_env,
                    check_instance, dv, ins, is_id, is_int)

pytest_plugins = ("simapi",)  # the emulator fixtures


def busiest_env(world):
    """(project id, env, items) of the connected environment with the most instances."""
    best = None
    for pr, env in world.all_envs():
        items = [i.item for i in world.instances if i.e == env["id"]]
        if env["connect"] and (best is None or len(items) > len(best[2])):
            best = (pr["id"], env, items)
    assert best and len(best[2]) >= 3, "an environment with three or more instances"
    return best


# ---------------------------------------------------------------- demo data

def test_demo_coverage(ro_world):
    assert len(ro_world.instances) >= 10, len(ro_world.instances)
    statuses = {i.item["status"] for i in ro_world.instances}
    for s in ("running", "failed", "stopped", "operating"):
        assert s in statuses, "demo data lacks a %s instance (%r)" % (s, statuses)
    apps = {i.item["appServiceId"] for i in ro_world.instances}
    assert len(apps) >= 4, "at least four app services are deployed"
    assert all(i.p in {pr["id"] for pr in ro_world.projects} for i in ro_world.instances)


def test_demo_instance_in_progress(ro_world):
    busy = [i for i in ro_world.instances if i.item["status"] == "operating"]
    assert busy
    for i in busy:
        assert i.item["commandStatus"] == "operating", i.item


def test_status_consistent_with_latest_command(ro_world):
    """§4.5: status follows from the latest command type × status."""
    for inst in ro_world.instances:
        it = inst.item
        pair = (it["commandType"], it["commandStatus"])
        if it["commandStatus"] == "operating":
            assert it["status"] == "operating", it
        elif it["status"] == "stopped":
            assert pair in (("stop", "success"), ("restart", "failed")), it
        elif it["status"] == "failed":
            assert pair == ("create", "failed"), it
        elif it["status"] == "running":
            assert it["commandStatus"] == "success" or it["commandType"] in ("update", "stop"), it
        else:
            pytest.fail("instance with status %r but no operating command: %r" % (it["status"], it))
        if it["commandStatus"] == "failed":
            assert isinstance(it.get("error"), str) and it["error"], \
                "a failed command has an error: %r" % it


def test_ids_unique(ro_world):
    ids = [i.id for i in ro_world.instances]
    assert len(ids) == len(set(ids))


# ---------------------------------------------------------------- I1

def test_i1_items_shape(ro_world):
    for inst in ro_world.instances:
        check_instance(inst.item, inst.p)
        assert inst.item["connect"] is inst.env["connect"], inst


def test_i1_list_items_leave_detail_fields_null(ro_world):
    """name, environmentId and effectCommand* are null in I1 items (§3.3)."""
    for inst in ro_world.instances:
        for k in ("name", "environmentId", "effectCommandId", "effectCommandVersion",
                  "effectCommandStatus"):
            assert inst.item.get(k) is None, (k, inst.item)


def test_i1_default_page(ro_api, ro_world):
    p, env, items = busiest_env(ro_world)
    pg = ro_api.page(p, env["id"])
    assert_page(pg, 0, 20, total=len(items))


def test_i1_paging_walks_all(ro_api, ro_world):
    p, env, items = busiest_env(ro_world)
    n = len(items)
    seen = []
    for number in range((n + 1) // 2 + 1):
        pg = ro_api.page(p, env["id"], page=number, size=2)
        assert_page(pg, number, 2, total=n)
        seen += [it["id"] for it in pg["content"]]
    assert len(seen) == n and set(seen) == {it["id"] for it in items}


def test_i1_size_capped_at_1000(sim_factory):
    api = Api(sim_factory("--generate", "1,1,1005"))
    p = api.projects()[0]["id"]
    e = api.envs(p)[0]["id"]
    pg = api.page(p, e, page=0, size=5000)
    assert_page(pg, 0, 1000, total=1005)
    pg = api.page(p, e, page=1, size=1000)
    assert_page(pg, 1, 1000, total=1005)


def test_i1_page_past_the_end_is_empty(ro_api, ro_world):
    p, env, items = busiest_env(ro_world)
    pg = ro_api.page(p, env["id"], page=50, size=3)
    assert_page(pg, 50, 3, total=len(items))
    assert pg["content"] == []


def test_i1_empty_or_absent_body(ro_api, ro_world):
    p, env, items = busiest_env(ro_world)
    path = dv(p, "/app_service_instances/info/page_by_options")
    for kw in ({}, {"body": {}}, {"raw_body": b"", "headers": {"Content-Type": "application/json"}}):
        r = ro_api.call("POST", path, query={"env_id": env["id"], "page": 0, "size": 10}, **kw)
        assert r.status == 200, (kw, r.status, r.body)
        assert_page(r.json(), 0, 10, total=len(items))


def test_i1_default_sort_is_id_desc(ro_api, ro_world):
    p, env, items = busiest_env(ro_world)
    dflt = [it["id"] for it in ro_api.page(p, env["id"], size=100)["content"]]
    expl = [it["id"] for it in ro_api.page(p, env["id"], size=100, sort="id,desc")["content"]]
    asc = [it["id"] for it in ro_api.page(p, env["id"], size=100, sort="id,asc")["content"]]
    assert dflt == expl
    assert asc == list(reversed(expl))


@pytest.mark.parametrize("key", ["code", "appServiceName", "versionName"])
def test_i1_sort(ro_api, ro_world, key):
    p, env, items = busiest_env(ro_world)
    up = [it[key] for it in ro_api.page(p, env["id"], size=100, sort=key + ",asc")["content"]]
    down = [it[key] for it in ro_api.page(p, env["id"], size=100, sort=key + ",desc")["content"]]
    assert len(up) == len(items)
    assert up == sorted(up), up
    assert down == sorted(down, reverse=True), down


def test_i1_sort_applies_before_paging(ro_api, ro_world):
    p, env, items = busiest_env(ro_world)
    codes = []
    for number in range(len(items)):
        codes += [it["code"] for it in ro_api.page(p, env["id"], page=number, size=1,
                                                     sort="code,asc")["content"]]
    assert codes == sorted(it["code"] for it in items)


def test_i1_search_param_code(ro_api, ro_world):
    p, env, items = busiest_env(ro_world)
    target = items[0]["code"]
    part = target[1:-1]
    pg = ro_api.page(p, env["id"], size=50, body={"searchParam": {"code": part}, "params": []})
    expect = {it["id"] for it in items if part in it["code"]}
    assert {it["id"] for it in pg["content"]} == expect
    assert_page(pg, 0, 50, total=len(expect))


def test_i1_search_param_app_service_name(ro_api, ro_world):
    p, env, items = busiest_env(ro_world)
    name = items[-1]["appServiceName"]
    pg = ro_api.page(p, env["id"], size=50,
                     body={"searchParam": {"appServiceName": name}, "params": []})
    assert {it["id"] for it in pg["content"]} == \
        {it["id"] for it in items if name in it["appServiceName"]}


def test_i1_search_param_no_match(ro_api, ro_world):
    p, env, items = busiest_env(ro_world)
    pg = ro_api.page(p, env["id"], size=10,
                     body={"searchParam": {"code": "zz-no-such-code-zz"}, "params": []})
    assert_page(pg, 0, 10, total=0)


def test_i1_params_free_text(ro_api, ro_world):
    """params match code, app service name or version (§2.5)."""
    p, env, items = busiest_env(ro_world)
    for text in (items[0]["versionName"], items[1]["appServiceName"], items[2]["code"]):
        pg = ro_api.page(p, env["id"], size=50, body={"searchParam": {}, "params": [text]})
        expect = {it["id"] for it in items
                  if text in it["code"] or text in it["appServiceName"] or text in it["versionName"]}
        assert {it["id"] for it in pg["content"]} == expect, text
        assert pg["totalElements"] == len(expect)


def test_i1_search_and_sort_combined(ro_api, ro_world):
    p, env, items = busiest_env(ro_world)
    code = items[0]["code"]
    pg = ro_api.page(p, env["id"], size=5, sort="code,desc",
                     body={"searchParam": {"code": code}, "params": [code]})
    assert code in [it["code"] for it in pg["content"]]


# ---------------------------------------------------------------- I3

def test_i3_detail_matches_list(ro_api, ro_world):
    for inst in ro_world.instances:
        d = ro_api.instance(inst.p, inst.id)
        check_instance(d, inst.p, detail=True)
        assert d["environmentId"] == inst.e
        for k in ("id", "code", "status", "podCount", "podRunningCount", "appServiceId",
                  "appServiceVersionId", "versionName", "appServiceName", "commandType",
                  "commandStatus", "commandVersionId", "commandVersion", "connect", "projectId"):
            assert d[k] == inst.item[k], (k, d, inst.item)


def test_i3_missing_instance_is_empty_200(ro_api, ro_world):
    p = ro_world.main["id"]
    r = ro_api.instance_raw(p, "no-such-instance-id")
    assert r.status == 200, (r.status, r.body)
    assert r.body.strip() == b"", r.body


def test_i3_disconnected_env_instances_say_so(ro_api, ro_world):
    down = [i for i in ro_world.instances if not i.env["connect"]]
    assert down, "the disconnected environment has instances"
    for inst in down:
        assert ro_api.instance(inst.p, inst.id)["connect"] is False


# ---------------------------------------------------------------- I7

def test_i7_pods_of_running_instances(ro_api, ro_world):
    running = [i for i in ro_world.instances if i.item["status"] == "running"]
    assert running
    for inst in running:
        info = ro_api.instance(inst.p, inst.id)
        pg = ro_api.pods(inst.p, inst.e, inst.id)
        assert_page(pg, 0, 20, total=info["podCount"])
        ready = 0
        for pod in pg["content"]:
            assert_keys(pod, POD_KEYS, "DevopsEnvPodVO")
            assert is_id(pod["id"]) and pod["instanceId"] == inst.id, pod
            assert pod["envId"] == inst.e and pod["envCode"] == inst.env["code"], pod
            assert pod["namespace"] == inst.env["code"], pod
            assert pod["instanceCode"] == inst.code, pod
            assert pod["appServiceName"] == info["appServiceName"], pod
            assert pod["appServiceVersion"] == info["versionName"], pod
            assert pod["projectId"] == inst.p and pod["connect"] is inst.env["connect"], pod
            assert isinstance(pod["ready"], bool) and isinstance(pod["status"], str), pod
            if pod["status"] == "Running":
                assert isinstance(pod["ip"], str) and isinstance(pod["nodeName"], str), pod
            else:   # a pod that is not running may have no address or node yet
                assert pod["ip"] is None or isinstance(pod["ip"], str), pod
            assert is_int(pod["restartCount"]), pod
            assert_date(pod["creationDate"], "pod creationDate")
            assert pod["containers"], pod
            for c in pod["containers"]:
                assert isinstance(c["name"], str) and isinstance(c["ready"], bool), c
            ready += pod["status"] == "Running" and pod["ready"]
        assert ready == info["podRunningCount"], (ready, info)


def test_i7_paging(ro_api, ro_world):
    inst = max(ro_world.instances, key=lambda i: i.item["podCount"])
    n = inst.item["podCount"]
    assert n >= 2, "some demo instance runs two or more pods"
    names = []
    for number in range(n):
        pg = ro_api.pods(inst.p, inst.e, inst.id, page=number, size=1)
        assert_page(pg, number, 1, total=n)
        names += [pod["name"] for pod in pg["content"]]
    assert len(set(names)) == n


# ---------------------------------------------------------------- synthetic data

def test_generate_1_20_50_gives_1000_instances(sim_factory):
    api = Api(sim_factory("--generate", "1,20,50"))
    projects = api.projects()
    assert len(projects) == 1
    p = projects[0]["id"]
    envs = api.envs(p)
    assert len(envs) == 20
    ids = set()
    for env in envs:
        pg = api.page(p, env["id"], page=0, size=50)
        assert_page(pg, 0, 50, total=50)
        ids |= {it["id"] for it in pg["content"]}
    assert len(ids) == 1000
    check_instance(pg["content"][0], p)


def test_generate_shape_follows_arguments(sim_factory):
    api = Api(sim_factory("--generate", "2,3,4"))
    projects = api.projects()
    assert len(projects) == 2
    for pr in projects:
        envs = api.envs(pr["id"])
        assert len(envs) == 3
        for env in envs:
            check_e1_env(env)
            assert_page(api.page(pr["id"], env["id"], size=10), 0, 10, total=4)


def test_generate_instances_are_operable(sim_factory):
    api = Api(sim_factory("--generate", "1,2,3", transition_ms=0))
    p = api.projects()[0]["id"]
    running = [(env, it) for env in api.envs(p) if env["connect"]
               for it in api.instances(p, env["id"]) if it["status"] == "running"]
    assert running, "generated data has running instances in connected environments"
    env, item = running[0]
    r = api.call("PUT", ins(p, item["id"], "/stop"))
    assert r.status == 204, (r.status, r.body)
    assert api.instance(p, item["id"])["status"] == "stopped"
