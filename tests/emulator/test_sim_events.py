"""Instance events (I8): ≤30 create/update/delete commands, newest first, jobs with logs."""
import datetime

from simapi import (assert_accepted, check_event, clean_values, jobs_of, with_flags)

pytest_plugins = ("simapi",)  # the emulator fixtures


def test_i8_shape_for_every_instance(ro_api, ro_world):
    for inst in ro_world.instances:
        evs = ro_api.events(inst.p, inst.id)
        assert isinstance(evs, list) and len(evs) <= 30, inst
        assert evs, "every demo instance has at least its create command: %r" % inst
        for ev in evs:
            check_event(ev)
        times = [ev["createTime"] for ev in evs]
        assert times == sorted(times, reverse=True), "newest first: %r" % times
        assert len({ev["commandId"] for ev in evs}) == len(evs)


def test_i8_demo_history(ro_api, ro_world):
    types = set()
    for inst in ro_world.instances:
        evs = ro_api.events(inst.p, inst.id)
        types |= {ev["type"] for ev in evs}
        assert evs[-1]["type"] == "create" or len(evs) == 30, (inst, evs[-1])
    assert {"create", "update"} <= types, types


def test_i8_failed_demo_instance(ro_api, ro_world):
    failed = ro_world.find(status="failed", connected=None, clean=False)
    assert failed
    for inst in failed:
        ev = ro_api.events(inst.p, inst.id)[0]
        assert (ev["type"], ev["status"]) == ("create", "failed"), ev
        assert isinstance(ev.get("commandError"), str) and ev["commandError"], ev
        jobs = jobs_of(ev)
        assert jobs and jobs[0]["jobPodStatus"] == "fail" and jobs[0]["log"], ev


def test_i8_update_lifecycle(api, world):
    inst = world.pick(status="running")
    info = api.instance(inst.p, inst.id)
    before = api.command_ids(inst.p, inst.id)
    vals = clean_values(api.values(inst.p, inst.id)["yaml"])
    vals["c7nsimTestMarker"] = "events-1"
    r = api.update(inst.p, info, vals)
    assert r.status == 200
    cmd = r.json()["commandId"]
    evs = api.events(inst.p, inst.id)
    assert [ev["commandId"] for ev in evs[1:]] == before[:29]
    ev = evs[0]
    check_event(ev)
    assert (ev["commandId"], ev["type"], ev["status"]) == (cmd, "update", "operating"), ev
    assert ev["loginName"] == "admin"
    made = datetime.datetime.strptime(ev["createTime"], "%Y-%m-%d %H:%M:%S")
    assert abs((datetime.datetime.now() - made).total_seconds()) < 60, \
        "createTime is the local time of the operation: %s" % ev["createTime"]
    api.advance()
    ev = api.events(inst.p, inst.id)[0]
    check_event(ev)
    assert (ev["commandId"], ev["type"], ev["status"]) == (cmd, "update", "success"), ev
    assert not ev.get("commandError"), ev
    jobs = jobs_of(ev)
    assert jobs, "a deploy runs a job: %r" % ev
    assert all(j["jobPodStatus"] == "success" and j["log"] for j in jobs), jobs
    assert len(ev["podEventVO"]) > len(jobs), "pod events follow the jobs: %r" % ev


def test_i8_failed_update(api, world):
    inst = world.pick(status="running")
    info = api.instance(inst.p, inst.id)
    vals = with_flags(clean_values(api.values(inst.p, inst.id)["yaml"]), fail=True)
    cmd = api.deploy(inst.p, info, vals)["commandId"]
    ev = api.events(inst.p, inst.id)[0]
    check_event(ev)
    assert (ev["commandId"], ev["type"], ev["status"]) == (cmd, "update", "failed"), ev
    assert isinstance(ev.get("commandError"), str) and ev["commandError"], ev
    jobs = jobs_of(ev)
    assert jobs and jobs[0]["jobPodStatus"] == "fail", ev
    assert jobs[0]["log"].strip(), "a failed job has a log: %r" % jobs[0]
    assert api.instance(inst.p, inst.id)["error"] == ev["commandError"]


def test_i8_redeploy_is_listed_as_update(api, world):
    inst = world.pick(status="running")
    before = api.command_ids(inst.p, inst.id)
    assert_accepted(api.redeploy(inst.p, inst.id))
    evs = api.events(inst.p, inst.id)
    assert evs[0]["commandId"] not in before
    assert (evs[0]["type"], evs[0]["status"]) == ("update", "operating"), evs[0]
    api.advance()
    assert api.events(inst.p, inst.id)[0]["status"] == "success"


def commands(api, inst):
    return [(ev["commandId"], ev["type"], ev["status"]) for ev in api.events(inst.p, inst.id)]


def test_i8_stop_and_start_are_not_listed(api, world):
    inst = world.pick(status="running")
    before = commands(api, inst)
    assert_accepted(api.stop(inst.p, inst.id))
    assert commands(api, inst) == before
    api.advance()
    assert_accepted(api.start(inst.p, inst.id))
    api.advance()
    assert api.instance(inst.p, inst.id)["commandType"] == "restart"
    assert commands(api, inst) == before


def test_i8_delete_is_listed(api, world):
    inst = world.pick(status="running", clean=False)
    assert_accepted(api.delete(inst.p, inst.id))
    ev = api.events(inst.p, inst.id)[0]
    check_event(ev)
    assert (ev["type"], ev["status"]) == ("delete", "operating"), ev


def test_i8_keeps_30_newest_first(api, world):
    inst = world.pick(status="running")
    info = api.instance(inst.p, inst.id)
    vals = clean_values(api.values(inst.p, inst.id)["yaml"])
    cmds = []
    for n in range(33):
        vals["c7nsimTestMarker"] = "run-%d" % n
        cmds.append(api.deploy(inst.p, info, vals)["commandId"])
    assert len(set(cmds)) == 33
    evs = api.events(inst.p, inst.id)
    assert len(evs) == 30
    assert [ev["commandId"] for ev in evs] == cmds[::-1][:30]
    assert all(ev["type"] == "update" and ev["status"] == "success" for ev in evs)
