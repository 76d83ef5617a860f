"""Environments: E1 list_by_active, E2 resource_tree_menu, E4 info, E5 check."""
from simapi import (E2_INSTANCE_KEYS, E2_KEYS, E4_KEYS, INSTANCE_STATUSES, assert_accepted,
                    assert_keys, check_e1_env, is_id, is_int)

pytest_plugins = ("simapi",)  # the emulator fixtures


def test_e1_shape_for_every_project(ro_world):
    for pr in ro_world.projects:
        envs = ro_world.envs[pr["id"]]
        assert isinstance(envs, list)
        for env in envs:
            check_e1_env(env)
        assert len({e["id"] for e in envs}) == len(envs), "env ids unique"
        assert len({e["code"] for e in envs}) == len(envs), "env codes unique"


def test_e1_demo_project_has_four_envs_one_disconnected(ro_world):
    envs = ro_world.envs[ro_world.main["id"]]
    assert len(envs) >= 4, [e["code"] for e in envs]
    down = [e for e in envs if not e["connect"]]
    assert len(down) >= 1, "one environment of the demo project is disconnected"
    assert len(envs) - len(down) >= 3, "the others are connected"


def test_e1_envs_belong_to_one_project(ro_world):
    a, b = ro_world.projects
    ids_a = {e["id"] for e in ro_world.envs[a["id"]]}
    ids_b = {e["id"] for e in ro_world.envs[b["id"]]}
    assert not ids_a & ids_b


def test_e1_owner_may_deploy_everywhere(ro_world):
    for pr, env in ro_world.all_envs():
        assert env["permission"] is True, env


def test_e2_shape(ro_api, ro_world):
    for pr in ro_world.projects:
        for env in ro_api.tree(pr["id"]):
            assert_keys(env, E2_KEYS, "E2 environment")
            assert is_id(env["id"]) and isinstance(env["code"], str) and isinstance(env["name"], str)
            assert isinstance(env["connect"], bool), env
            for k in E2_KEYS[4:]:
                assert isinstance(env[k], list), (k, env)
            for it in env["instances"]:
                assert_keys(it, E2_INSTANCE_KEYS, "E2 instance")
                assert is_id(it["id"]) and is_id(it["appId"]), it
                assert isinstance(it["code"], str) and isinstance(it["name"], str), it
                assert is_int(it["podCount"]) and is_int(it["podRunningCount"]), it
                assert 0 <= it["podRunningCount"] <= it["podCount"], it
                assert it["status"] in INSTANCE_STATUSES, it


def test_e2_owner_sees_all_synchronised_envs(ro_api, ro_world):
    for pr in ro_world.projects:
        e1 = ro_world.envs[pr["id"]]
        tree = ro_api.tree(pr["id"])
        assert {e["id"] for e in tree} == {e["id"] for e in e1 if e["synchro"]}
        by_id = {e["id"]: e for e in e1}
        for env in tree:
            assert env["code"] == by_id[env["id"]]["code"]
            assert env["connect"] is by_id[env["id"]]["connect"], env["code"]


def test_e2_connected_envs_first(ro_api, ro_world):
    tree = ro_api.tree(ro_world.main["id"])
    flags = [e["connect"] for e in tree]
    assert False in flags and True in flags, flags
    assert flags == sorted(flags, reverse=True), "connected environments come first: %r" % flags


def test_e2_instances_match_i1(ro_api, ro_world):
    for pr in ro_world.projects:
        for env in ro_api.tree(pr["id"]):
            listed = {i.id: i.item for i in ro_world.instances if i.e == env["id"]}
            assert {it["id"] for it in env["instances"]} == set(listed), env["code"]
            for it in env["instances"]:
                ref = listed[it["id"]]
                assert it["code"] == ref["code"]
                assert it["status"] == ref["status"]
                assert it["podCount"] == ref["podCount"]
                assert it["podRunningCount"] == ref["podRunningCount"]


def test_e4_info(ro_api, ro_world):
    for pr, env in ro_world.all_envs():
        info = ro_api.env_info(pr["id"], env["id"])
        assert_keys(info, E4_KEYS, "E4 info")
        assert info["id"] == env["id"] and info["code"] == env["code"] and info["name"] == env["name"]
        assert info["active"] is True
        assert info["connect"] is env["connect"], (info, env)
        assert isinstance(info["synchronize"], bool) and info["fail"] is False, info
        assert info["clusterId"] == env["clusterId"] and info["clusterName"] == env["clusterName"]
        assert info["skipCheckPermission"] is env["skipCheckPermission"]
        assert is_int(info["objectVersionNumber"])
        assert info["gitopsStatus"] in ("finished", "processing", "failed"), info


def test_e5_check_existing_instance(ro_api, ro_world):
    for inst in ro_world.instances[:5]:
        res = ro_api.env_check(inst.p, inst.e, inst.id)
        assert res == {"checkResources": True, "checkEnvExist": True,
                       "checkAppExist": res.get("checkAppExist")}, res
        assert isinstance(res["checkAppExist"], bool), res


def test_e5_check_deleted_instance(api, world):
    inst = world.pick(status="running", clean=False)
    assert_accepted(api.delete(inst.p, inst.id))
    api.advance()
    res = api.env_check(inst.p, inst.e, inst.id)
    assert res["checkResources"] is False, res
    assert res["checkEnvExist"] is True, res
