"""Operations O1–O5 and the state machine of §4.4/§4.5: success, failure and refusals."""
import time

import pytest

from conftest import wait_until
from simapi import (O1_KEYS, Api, World, assert_accepted, assert_error, assert_keys,
                    clean_values, dump_values, ins, is_id, is_int, load_values, q, with_flags)

pytest_plugins = ("simapi",)  # the emulator fixtures


def listed(api, inst):
    """The instance's I1 item, or None when the list no longer has it."""
    for it in api.instances(inst.p, inst.e):
        if it["id"] == inst.id:
            return it
    return None


def expect_state(api, inst, status, ctype, cstatus):
    """I3, I1 and E2 all show status/commandType/commandStatus."""
    info = api.instance(inst.p, inst.id)
    assert (info["status"], info["commandType"], info["commandStatus"]) == (status, ctype, cstatus), info
    it = listed(api, inst)
    assert it is not None, "I1 lists %r" % inst
    assert (it["status"], it["commandType"], it["commandStatus"]) == (status, ctype, cstatus), it
    tree = {e["id"]: e for e in api.tree(inst.p)}
    if inst.e in tree:
        st = [x["status"] for x in tree[inst.e]["instances"] if x["id"] == inst.id]
        assert st == [status], (st, status)
    if cstatus == "failed":
        assert isinstance(info.get("error"), str) and info["error"], \
            "a failed command has an error: %r" % info
    elif cstatus == "success":
        assert not info.get("error"), "successful command leaves no error: %r" % info
    return info


def fresh_values(api, inst, **extra):
    vals = clean_values(api.values(inst.p, inst.id)["yaml"])
    vals.update(extra)
    return vals


def snapshot(api, inst):
    info = api.instance(inst.p, inst.id)
    return ({k: info[k] for k in ("status", "commandType", "commandStatus", "commandVersionId",
                                  "appServiceVersionId", "podCount")},
            api.command_ids(inst.p, inst.id), api.values(inst.p, inst.id)["yaml"])


def newer_version(api, inst, info):
    newer = api.upgrade_versions(inst.p, info["appServiceVersionId"])
    others = newer or [v for v in api.versions(inst.p, info["appServiceId"])
                       if v["id"] != info["appServiceVersionId"]]
    assert others, "the app service has another version"
    return others[-1]


# ---------------------------------------------------------------- update (modify values)

def test_update_values_success(api, world):
    inst = world.pick(status="running")
    info = api.instance(inst.p, inst.id)
    vals = fresh_values(api, inst, c7nsimTestMarker="update-1")
    r = api.update(inst.p, info, vals)
    assert r.status == 200, (r.status, r.body)
    out = r.json()
    assert_keys(out, O1_KEYS, "AppServiceInstanceVO")
    assert out["id"] == inst.id and out["code"] == inst.code, out
    assert (out["status"], out["commandType"], out["commandStatus"]) == \
        ("operating", "update", "operating"), out
    assert is_id(out["commandId"]) and out["commandVersionId"] == info["appServiceVersionId"], out
    assert out["appServiceId"] == info["appServiceId"] and out["envId"] == inst.e, out
    assert out["connect"] is True and is_int(out["projectId"]) and out["projectId"] == inst.p, out
    expect_state(api, inst, "operating", "update", "operating")
    assert load_values(api.values(inst.p, inst.id)["yaml"]) == vals, "V1 has the latest command's values"
    api.advance()
    after = expect_state(api, inst, "running", "update", "success")
    assert after["appServiceVersionId"] == info["appServiceVersionId"]
    assert load_values(api.values(inst.p, inst.id)["yaml"]) == vals
    assert load_values(api.last_deploy_value(inst.p, inst.id)["yaml"]) == vals
    assert after["objectVersionNumber"] > info["objectVersionNumber"], (after, info)


def test_update_values_failure(api, world):
    inst = world.pick(status="running")
    info = api.instance(inst.p, inst.id)
    r = api.update(inst.p, info, with_flags(fresh_values(api, inst), fail=True))
    assert r.status == 200 and r.json().get("failed") is not True, r.body
    expect_state(api, inst, "operating", "update", "operating")
    api.advance()
    expect_state(api, inst, "running", "update", "failed")


def test_update_repairs_failed_instance(api, world):
    inst = world.pick(status="failed", clean=False)
    info = api.instance(inst.p, inst.id)
    assert (info["commandType"], info["commandStatus"]) == ("create", "failed"), info
    api.deploy(inst.p, info, fresh_values(api, inst))
    after = expect_state(api, inst, "running", "update", "success")
    assert after["podCount"] >= 1 and after["podRunningCount"] == after["podCount"], after


# ---------------------------------------------------------------- upgrade

def test_upgrade_success(api, world):
    inst = world.pick(status="running")
    info = api.instance(inst.p, inst.id)
    target = newer_version(api, inst, info)
    vals = api.upgrade_value(inst.p, inst.id, target["id"])["yaml"]
    r = api.update(inst.p, info, vals, version_id=target["id"])
    assert r.status == 200 and r.json().get("failed") is not True, r.body
    assert r.json()["commandVersionId"] == target["id"], r.json()
    during = expect_state(api, inst, "operating", "update", "operating")
    assert (during["commandVersionId"], during["commandVersion"]) == (target["id"], target["version"])
    assert during["appServiceVersionId"] == info["appServiceVersionId"], \
        "the effective version changes only when the deploy succeeds: %r" % during
    api.advance()
    after = expect_state(api, inst, "running", "update", "success")
    assert (after["appServiceVersionId"], after["versionName"]) == (target["id"], target["version"])
    assert (after["commandVersionId"], after["commandVersion"]) == (target["id"], target["version"])


def test_upgrade_failure(api, world):
    inst = world.pick(status="running")
    info = api.instance(inst.p, inst.id)
    target = newer_version(api, inst, info)
    vals = with_flags(clean_values(api.upgrade_value(inst.p, inst.id, target["id"])["yaml"]), fail=True)
    api.deploy(inst.p, info, vals, version_id=target["id"])
    after = expect_state(api, inst, "running", "update", "failed")
    assert after["commandVersionId"] == target["id"], after
    assert (after["appServiceVersionId"], after["versionName"]) == \
        (info["appServiceVersionId"], info["versionName"]), \
        "a failed upgrade leaves the old version effective"


# ---------------------------------------------------------------- redeploy

def test_redeploy_success(api, world):
    inst = world.pick(status="running")
    info = api.instance(inst.p, inst.id)
    before = api.values(inst.p, inst.id)["yaml"]
    assert_accepted(api.redeploy(inst.p, inst.id))
    during = expect_state(api, inst, "operating", "update", "operating")
    assert during["commandVersionId"] == info["commandVersionId"]
    api.advance()
    expect_state(api, inst, "running", "update", "success")
    assert api.values(inst.p, inst.id)["yaml"] == before


def test_redeploy_failure(api, world):
    inst = world.pick(status="running")
    info = api.instance(inst.p, inst.id)
    api.deploy(inst.p, info, with_flags(fresh_values(api, inst), fail=True))
    expect_state(api, inst, "running", "update", "failed")
    assert_accepted(api.redeploy(inst.p, inst.id))
    expect_state(api, inst, "operating", "update", "operating")
    api.advance()
    expect_state(api, inst, "running", "update", "failed")


# ---------------------------------------------------------------- stop / start

def test_stop_success(api, world):
    inst = world.pick(status="running")
    assert_accepted(api.stop(inst.p, inst.id))
    expect_state(api, inst, "operating", "stop", "operating")
    api.advance()
    expect_state(api, inst, "stopped", "stop", "success")


def test_stop_failure(api, world):
    inst = world.pick(status="running")
    vals = with_flags(fresh_values(api, inst), fail_stop=True)
    api.deploy(inst.p, api.instance(inst.p, inst.id), vals)
    expect_state(api, inst, "running", "update", "success")
    assert_accepted(api.stop(inst.p, inst.id))
    expect_state(api, inst, "operating", "stop", "operating")
    api.advance()
    after = expect_state(api, inst, "running", "stop", "failed")
    assert after["podCount"] >= 1


@pytest.mark.parametrize("status", ["stopped", "failed", "operating"])
def test_stop_refused_unless_running(api, world, status):
    inst = world.pick(status=status, clean=False)
    before = snapshot(api, inst)
    assert_error(api.stop(inst.p, inst.id), "error.instance.not.running")
    assert snapshot(api, inst) == before


def test_start_success(api, world):
    inst = world.pick(status="stopped", clean=False)
    assert_accepted(api.start(inst.p, inst.id))
    expect_state(api, inst, "operating", "restart", "operating")
    api.advance()
    after = expect_state(api, inst, "running", "restart", "success")
    assert after["podCount"] >= 1


def test_start_failure(api, world):
    inst = world.pick(status="running")
    vals = with_flags(fresh_values(api, inst), fail_start=True)
    api.deploy(inst.p, api.instance(inst.p, inst.id), vals)
    assert_accepted(api.stop(inst.p, inst.id))
    api.advance()
    expect_state(api, inst, "stopped", "stop", "success")
    assert_accepted(api.start(inst.p, inst.id))
    expect_state(api, inst, "operating", "restart", "operating")
    api.advance()
    after = expect_state(api, inst, "stopped", "restart", "failed")
    assert after["podCount"] == 0


@pytest.mark.parametrize("status", ["running", "failed", "operating"])
def test_start_refused_unless_stopped(api, world, status):
    inst = world.pick(status=status, clean=False)
    before = snapshot(api, inst)
    assert_error(api.start(inst.p, inst.id), "error.instance.not.stop")
    assert snapshot(api, inst) == before


def test_stop_start_cycle_twice(api, world):
    inst = world.pick(status="running")
    for _ in range(2):
        assert_accepted(api.stop(inst.p, inst.id))
        api.advance()
        expect_state(api, inst, "stopped", "stop", "success")
        assert_accepted(api.start(inst.p, inst.id))
        api.advance()
        expect_state(api, inst, "running", "restart", "success")


# ---------------------------------------------------------------- delete

def assert_gone(api, inst):
    r = api.instance_raw(inst.p, inst.id)
    assert r.status == 200 and r.body.strip() == b"", (r.status, r.body)
    assert listed(api, inst) is None
    tree = {e["id"]: e for e in api.tree(inst.p)}
    if inst.e in tree:
        assert inst.id not in [x["id"] for x in tree[inst.e]["instances"]]
    assert api.env_check(inst.p, inst.e, inst.id)["checkResources"] is False


def test_delete_success(api, world):
    inst = world.pick(status="running", clean=False)
    assert_accepted(api.delete(inst.p, inst.id))
    expect_state(api, inst, "operating", "delete", "operating")
    api.advance()
    assert_gone(api, inst)


@pytest.mark.parametrize("status", ["stopped", "failed"])
def test_delete_from_other_states(api, world, status):
    inst = world.pick(status=status, clean=False)
    assert_accepted(api.delete(inst.p, inst.id))
    api.advance()
    assert_gone(api, inst)


def test_delete_while_deleting_is_refused(api, world):
    inst = world.pick(status="running", clean=False)
    assert_accepted(api.delete(inst.p, inst.id))
    assert_error(api.delete(inst.p, inst.id), "error.app.instance.is.operating")
    expect_state(api, inst, "operating", "delete", "operating")


def test_update_and_redeploy_refused_while_deleting(api, world):
    inst = world.pick(status="running")
    info = api.instance(inst.p, inst.id)
    assert_accepted(api.delete(inst.p, inst.id))
    code = "error.app.instance.is.operating"
    assert_error(api.redeploy(inst.p, inst.id), code)
    assert_error(api.update(inst.p, info, fresh_values(api, inst, c7nsimTestMarker="x")), code)
    expect_state(api, inst, "operating", "delete", "operating")


def test_deleted_instance_reads_and_operations(api, world):
    inst = world.pick(status="running", clean=False)
    info = api.instance(inst.p, inst.id)
    assert_accepted(api.delete(inst.p, inst.id))
    api.advance()
    assert_error(api.call("GET", ins(inst.p, inst.id, "/resources")), "error.resource.query")
    assert_error(api.call("GET", ins(inst.p, inst.id, "/last_deploy_value")),
                 "error.instance.value.get")
    assert_error(api.call("GET", ins(inst.p, inst.id, "/appServiceVersion/%s/upgrade_value"
                                     % q(info["appServiceVersionId"]))),
                 "error.instance.value.get")
    for r in (api.stop(inst.p, inst.id), api.start(inst.p, inst.id),
              api.redeploy(inst.p, inst.id), api.delete(inst.p, inst.id)):
        assert r.status == 200 and r.json().get("failed") is True, (r.status, r.body)
        assert isinstance(r.json().get("code"), str) and r.json()["code"].startswith("error."), r.body


DISABLED_APP_DATA = """
organization: {id: 7, code: org, name: Org}
users:
  - {login: admin, name: Admin, email: admin@x, token: c7n-demo-admin}
projects:
  - id: 700
    code: p
    name: P
    owners: [admin]
    envs:
      - {code: e1, name: E1, cluster: c1}
    apps:
      - code: old-app
        name: Old App
        active: false
        versions:
          - version: 1.0.0
            values: |
              replicaCount: 1
    instances:
      - code: old-app-aaaaa
        env: e1
        app: old-app
        history:
          - {type: create, version: 1.0.0, at: -1d, user: admin}
"""


def test_update_of_disabled_app_service(sim_factory, tmp_path):
    data = tmp_path / "disabled.yaml"
    data.write_text(DISABLED_APP_DATA)
    api = Api(sim_factory("--data", str(data)))
    inst = World(api).pick(status="running")
    info = api.instance(inst.p, inst.id)
    before = snapshot(api, inst)
    vals = fresh_values(api, inst, replicaCount=2)
    assert_error(api.update(inst.p, info, vals), "error.app.service.disabled")
    assert snapshot(api, inst) == before


def test_delete_leaves_other_instances(api, world):
    inst = world.pick(status="running", clean=False)
    others = {i.id for i in world.instances if i.e == inst.e and i.id != inst.id}
    assert_accepted(api.delete(inst.p, inst.id))
    api.advance()
    assert {it["id"] for it in api.instances(inst.p, inst.e)} == others


# ---------------------------------------------------------------- O1 validation and no-op

def test_update_unchanged_is_noop(api, world):
    inst = world.pick(status="running", clean=False)
    info = api.instance(inst.p, inst.id)
    before = snapshot(api, inst)
    r = api.update(inst.p, info, before[2])
    assert r.status == 200, (r.status, r.body)
    assert r.json().get("failed") is not True, r.json()
    assert snapshot(api, inst) == before, "no new command, nothing changes"


def test_update_invalid_yaml(api, world):
    inst = world.pick(status="running", clean=False)
    info = api.instance(inst.p, inst.id)
    before = snapshot(api, inst)
    assert_error(api.update(inst.p, info, "a: 1\nb: [1, 2\nc: d\n"), "error.yaml.format.invalid")
    assert snapshot(api, inst) == before


def test_update_unknown_version(api, world):
    inst = world.pick(status="running", clean=False)
    info = api.instance(inst.p, inst.id)
    before = snapshot(api, inst)
    bogus = info["appServiceVersionId"] + "0"
    assert bogus not in {v["id"] for v in api.versions(inst.p, info["appServiceId"])}
    vals = dump_values(fresh_values(api, inst, c7nsimTestMarker="v"))
    assert_error(api.update(inst.p, info, vals, version_id=bogus), "error.version.id.not.exist")
    assert snapshot(api, inst) == before


@pytest.mark.parametrize("field,code", [
    ("instanceId", "error.app.instance.id.null"),
    ("environmentId", "error.env.id.null"),
    ("appServiceId", "error.app.id.null"),
    ("appServiceVersionId", "error.app.version.id.null"),
    ("values", "error.app.instance.values.null"),
])
def test_update_missing_field(api, world, field, code):
    inst = world.pick(status="running", clean=False)
    info = api.instance(inst.p, inst.id)
    before = snapshot(api, inst)
    body = {"instanceId": info["id"], "environmentId": info["environmentId"],
            "appServiceId": info["appServiceId"], "appServiceVersionId": info["appServiceVersionId"],
            "values": dump_values(fresh_values(api, inst, c7nsimTestMarker="m")), "type": "update"}
    del body[field]
    assert_error(api.update_body(inst.p, body), code)
    if field == "values":
        body["values"] = "   "
        assert_error(api.update_body(inst.p, body), code)
    assert snapshot(api, inst) == before


def test_operations_on_other_projects_instance(api, world):
    inst = world.pick(status="running", clean=False)
    other = [pr["id"] for pr in world.projects if pr["id"] != inst.p][0]
    info = api.instance(inst.p, inst.id)
    before = snapshot(api, inst)
    code = "error.operating.resource.in.other.project"
    assert_error(api.stop(other, inst.id), code)
    assert_error(api.redeploy(other, inst.id), code)
    assert_error(api.delete(other, inst.id), code)
    vals = dump_values(fresh_values(api, inst, c7nsimTestMarker="o"))
    assert_error(api.update(other, info, vals), code)
    assert snapshot(api, inst) == before


# ---------------------------------------------------------------- disconnected environment

def test_disconnected_env_refuses_every_operation(api, world):
    down = [i for i in world.instances if not i.env["connect"]]
    assert down, "the disconnected environment has instances"
    code = "error.env.disconnect"
    for inst in down:
        info = api.instance(inst.p, inst.id)
        before = snapshot(api, inst)
        vals = dump_values(fresh_values(api, inst, c7nsimTestMarker="d"))
        assert_error(api.update(inst.p, info, vals), code)
        assert_error(api.redeploy(inst.p, inst.id), code)
        assert_error(api.delete(inst.p, inst.id), code)
        if info["status"] == "running":
            assert_error(api.stop(inst.p, inst.id), code)
        if info["status"] == "stopped":
            assert_error(api.start(inst.p, inst.id), code)
        api.advance()
        assert snapshot(api, inst) == before


# ---------------------------------------------------------------- transitions in time

def test_advance_completes_every_pending_command(api, world):
    a, b = world.find(status="running")[:2]
    assert_accepted(api.stop(a.p, a.id))
    assert_accepted(api.redeploy(b.p, b.id))
    busy = [i for i in world.instances if i.item["status"] == "operating"]
    api.advance()
    expect_state(api, a, "stopped", "stop", "success")
    expect_state(api, b, "running", "update", "success")
    for inst in busy:
        info = api.instance(inst.p, inst.id)
        if info:
            assert info["status"] != "operating" and info["commandStatus"] != "operating", info


def test_advance_with_nothing_pending(api, world):
    api.advance()
    api.advance()
    inst = world.pick(status="running", clean=False)
    assert api.instance(inst.p, inst.id)["status"] == "running"


def test_transition_ms_zero_completes_at_once(sim_factory):
    api = Api(sim_factory(transition_ms=0))
    inst = World(api).pick(status="running")
    assert_accepted(api.stop(inst.p, inst.id))
    expect_state(api, inst, "stopped", "stop", "success")
    assert_accepted(api.start(inst.p, inst.id))
    expect_state(api, inst, "running", "restart", "success")


def timed_stop(api, inst):
    t0 = time.monotonic()
    assert_accepted(api.stop(inst.p, inst.id))
    expect_state(api, inst, "operating", "stop", "operating")
    wait_until(lambda: api.instance(inst.p, inst.id)["status"] == "stopped", timeout=10,
               interval=0.02, what="the stop to complete")
    expect_state(api, inst, "stopped", "stop", "success")
    return time.monotonic() - t0


def test_transition_after_configured_delay(sim_factory):
    api = Api(sim_factory(transition_ms=300))
    inst = World(api).pick(status="running")
    assert timed_stop(api, inst) >= 0.29


def test_transition_default_delay(sim_factory):
    api = Api(sim_factory())
    inst = World(api).pick(status="running")
    took = timed_stop(api, inst)
    assert 1.4 <= took <= 5, took
