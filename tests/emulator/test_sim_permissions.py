"""§2.3 permissions of the three demo users: owner admin, member dev (deploy grants on
some environments), member viewer (view-only grants)."""
import pytest

from simapi import assert_accepted, assert_error, check_e1_env, clean_values, dump_values

pytest_plugins = ("simapi",)  # the emulator fixtures

DENIED = "error.env.user.permission.get"
MEMBERS = ("dev", "viewer")


def e1_of(api, user):
    """{env id: E1 env} over all projects of user."""
    out = {}
    for pr in api.projects(token=user):
        for env in api.envs(pr["id"], token=user):
            check_e1_env(env)
            out[env["id"]] = env
    return out


def e2_ids(api, user):
    """Ids of the environments E2 shows user, over all of user's projects."""
    return {env["id"] for pr in api.projects(token=user) for env in api.tree(pr["id"], token=user)}


def snapshot(api, inst):
    info = api.instance(inst.p, inst.id)
    return (info["status"], info["commandType"], info["commandStatus"],
            api.command_ids(inst.p, inst.id), api.values(inst.p, inst.id)["yaml"])


def refused_everywhere(api, inst, user):
    """Every operation by user on inst is refused with DENIED and changes nothing."""
    info = api.instance(inst.p, inst.id)
    before = snapshot(api, inst)
    vals = clean_values(api.values(inst.p, inst.id)["yaml"])
    vals["c7nsimTestMarker"] = "denied"
    assert_error(api.update(inst.p, info, dump_values(vals), token=user), DENIED)
    assert_error(api.redeploy(inst.p, inst.id, token=user), DENIED)
    assert_error(api.delete(inst.p, inst.id, token=user), DENIED)
    if info["status"] == "running":
        assert_error(api.stop(inst.p, inst.id, token=user), DENIED)
    if info["status"] == "stopped":
        assert_error(api.start(inst.p, inst.id, token=user), DENIED)
    api.advance()
    assert snapshot(api, inst) == before


# ---------------------------------------------------------------- what each user sees

def test_e1_members_list_all_active_envs(ro_api, ro_world):
    admin = {e["id"] for envs in ro_world.envs.values() for e in envs}
    for user in MEMBERS:
        projects = ro_api.projects(token=user)
        for pr in projects:
            mine = {e["id"] for e in ro_api.envs(pr["id"], token=user)}
            assert mine == {e["id"] for e in ro_world.envs[pr["id"]]}, (user, pr["code"])
        assert e1_of(ro_api, user).keys() <= admin


def test_e1_dev_may_deploy_in_some_envs(ro_api):
    envs = e1_of(ro_api, "dev").values()
    for env in envs:
        if env["skipCheckPermission"]:
            assert env["permission"] is True, env
    granted = [e for e in envs if e["permission"] and not e["skipCheckPermission"]]
    refused = [e for e in envs if not e["permission"]]
    assert granted, "dev has deploy grants on some environments"
    assert refused, "dev lacks a grant on some environment"


def test_e1_viewer_may_deploy_only_in_open_envs(ro_api):
    envs = e1_of(ro_api, "viewer").values()
    assert envs
    for env in envs:
        assert env["permission"] is env["skipCheckPermission"], env


def test_e2_owner_sees_all_members_fewer(ro_api, ro_world):
    for user in MEMBERS:
        mine = e2_ids(ro_api, user)
        admin = {env["id"] for pr in ro_api.projects(token=user)
                 for env in ro_api.tree(pr["id"], token="admin")}
        assert mine < admin, "%s sees fewer environments than the owner: %r" % (user, mine)
        e1 = e1_of(ro_api, user)
        may = {i for i, e in e1.items() if e["permission"] and e["synchro"]}
        assert may <= mine, "%s sees every environment it may deploy to" % user
        opened = {i for i, e in e1.items() if e["skipCheckPermission"] and e["synchro"]}
        assert opened <= mine


def test_e2_viewer_sees_granted_envs(ro_api):
    assert e2_ids(ro_api, "viewer"), "viewer has view grants on some environment"


def test_e2_member_sees_same_instances(ro_api, ro_world):
    by_env = {}
    for inst in ro_world.instances:
        by_env.setdefault(inst.e, set()).add(inst.id)
    for user in MEMBERS:
        for pr in ro_api.projects(token=user):
            for env in ro_api.tree(pr["id"], token=user):
                assert {it["id"] for it in env["instances"]} == by_env.get(env["id"], set())


# ---------------------------------------------------------------- what each user may do

def test_admin_operates_everywhere_connected(api, world):
    for pr, env in world.all_envs():
        assert env["permission"] is True
    inst = world.pick(status="running")
    assert_accepted(api.redeploy(inst.p, inst.id, token="admin"))


def test_dev_operates_where_granted(api, world):
    granted = {i for i, e in e1_of(api, "dev").items() if e["permission"]}
    inst = world.pick(status="running", where=lambda i: i.e in granted)
    info = api.instance(inst.p, inst.id)
    vals = clean_values(api.values(inst.p, inst.id)["yaml"])
    vals["c7nsimTestMarker"] = "by-dev"
    r = api.update(inst.p, info, vals, token="dev")
    assert r.status == 200 and r.json().get("failed") is not True, r.body
    ev = api.events(inst.p, inst.id)[0]
    assert (ev["loginName"], ev["type"]) == ("dev", "update"), ev
    api.advance()
    assert_accepted(api.stop(inst.p, inst.id, token="dev"))
    api.advance()
    assert api.instance(inst.p, inst.id)["status"] == "stopped"
    assert_accepted(api.start(inst.p, inst.id, token="dev"))
    api.advance()
    assert_accepted(api.redeploy(inst.p, inst.id, token="dev"))
    api.advance()
    assert api.instance(inst.p, inst.id)["status"] == "running"
    assert_accepted(api.delete(inst.p, inst.id, token="dev"))


def test_dev_refused_where_not_granted(api, world):
    denied = {i for i, e in e1_of(api, "dev").items() if not e["permission"]}
    targets = world.find(connected=True, clean=False, where=lambda i: i.e in denied
                         and i.item["status"] in ("running", "stopped"))
    assert targets, "a running or stopped instance in a connected env dev may not deploy to"
    for inst in targets:
        refused_everywhere(api, inst, "dev")


def test_viewer_refused_everywhere(api, world):
    e1 = e1_of(api, "viewer")
    seen = e2_ids(api, "viewer")
    targets = world.find(connected=True, clean=False,
                         where=lambda i: i.e in e1 and not e1[i.e]["skipCheckPermission"]
                         and i.item["status"] != "operating")
    assert any(i.e in seen for i in targets), "viewer is refused even where it may look"
    for inst in targets:
        refused_everywhere(api, inst, "viewer")


def test_members_read_what_they_see(ro_api, ro_world):
    for user in MEMBERS:
        seen = e2_ids(ro_api, user)
        for inst in ro_world.instances:
            if inst.e in seen:
                assert ro_api.instance(inst.p, inst.id, token=user)["code"] == inst.code
                assert ro_api.events(inst.p, inst.id, token=user)


def test_open_env_lets_any_member_deploy(api, world):
    opened = {i for i, e in e1_of(api, "viewer").items() if e["skipCheckPermission"]}
    targets = world.find(status="running", clean=False, where=lambda i: i.e in opened)
    if not targets:
        pytest.skip("the demo data has no running instance in a skipCheckPermission environment")
    assert_accepted(api.redeploy(targets[0].p, targets[0].id, token="viewer"))


def test_non_member_is_refused_the_project(ro_api, ro_world):
    admin = {pr["id"] for pr in ro_world.projects}
    outside = [(user, p) for user in MEMBERS
               for p in admin - {pr["id"] for pr in ro_api.projects(token=user)}]
    if not outside:
        pytest.skip("every member belongs to every demo project")
    for user, p in outside:
        for path in ("/envs/list_by_active?active=true", "/envs/resource_tree_menu"):
            r = ro_api.call("GET", "/devops/v1/projects/%d%s" % (p, path), token=user)
            assert r.status == 403, (user, p, path, r.status, r.body[:200])
            assert r.json().get("failed") is True, r.body
