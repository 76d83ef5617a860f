"""control verbs through their whole life (design.md §4): stop → 停止中 → 停止完成 → start →
重启中 → 重启完成 with the emulator's real transitions, redeploy, a deploy that fails (更新失败,
with the job's log under events/), upgrade to the latest and to a named version (the values
the server merges, V3, carried over), the refusals of upgrade and delete, and what a
control write accepts."""
import errno
import os

import pytest

from conftest import wait_until
from mountlib import (T_O1, T_O2, T_O3, T_O4, T_O5, WRITE_TTL, Target, kv_dict, parse_table,
                      write_control, write_values, yaml_load)
from mountlib import mount_factory, sim0  # noqa: F401  (fixtures)


def target(sim, mount_factory, code="demo-api-7f3k2"):
    return Target(sim, mount_factory(sim, options=WRITE_TTL), code)


def control(t, line):
    return write_control(t.path("control"), line)


def last_result(t):
    return kv_dict(t.read("control").split("\n\n")[0] + "\n")["last_result"]


def test_stop_then_start_through_the_real_transitions(sim0, mount_factory):
    t = target(sim0, mount_factory)
    before = t.stats()
    assert control(t, "stop") == 0
    assert t.ops_since(before) == {T_O3: 1}
    kv = t.status()
    assert kv["state"] == "停止中 (stopping)" and kv["allowed"] == "", kv
    assert last_result(t) == "stop 'demo-api-7f3k2': ok"
    before = t.stats()
    assert control(t, "start") == errno.EBUSY
    assert t.ops_since(before) == {}
    t.check_error("start", errno.EBUSY)
    t.api.advance()
    kv = t.wait_state("停止完成") and t.status()
    assert kv["status"] == "stopped" and kv["allowed"] == "edit start delete", kv
    assert t.item()["status"] == "stopped"
    before = t.stats()
    assert control(t, "start") == 0
    assert t.ops_since(before) == {T_O4: 1}
    assert t.state() == "重启中"
    t.api.advance()
    t.wait_state("重启完成")
    kv = t.status()
    assert kv["status"] == "running" and kv["allowed"] == "edit redeploy stop delete", kv
    assert t.item()["status"] == "running"


def test_restart_is_start(sim0, mount_factory):
    t = target(sim0, mount_factory, "demo-web-q8r2z")
    before = t.stats()
    assert control(t, "restart") == 0
    assert t.ops_since(before) == {T_O4: 1}
    assert t.state() == "重启中"


def test_a_command_without_newline_runs_at_close(sim0, mount_factory):
    """printf stop > control: the text after the last newline is the command at close."""
    t = target(sim0, mount_factory)
    before = t.stats()
    fd = os.open(t.path("control"), os.O_WRONLY | os.O_TRUNC)
    os.write(fd, b"st")
    os.write(fd, b"op")
    assert t.ops_since(before) == {}
    os.close(fd)
    assert t.ops_since(before) == {T_O3: 1}
    assert t.state() == "停止中"


def test_redeploy_deploys_the_same_values_again(sim0, mount_factory):
    t = target(sim0, mount_factory)
    old = t.deployed()
    before = t.stats()
    assert control(t, "redeploy") == 0
    assert t.ops_since(before) == {T_O2: 1}
    assert t.state() == "更新中"
    t.api.advance()
    t.wait_state("更新完成")
    assert t.deployed() == old and t.read() == old


def test_failing_deploy_shows_update_failed_and_the_job_log(sim0, mount_factory):
    t = target(sim0, mount_factory)
    text = t.deployed() + "c7nsim:\n  fail: true\n"
    before = t.stats()
    assert write_values(t.path(), text) == 0
    assert t.ops_since(before) == {T_O1: 1}
    assert t.state() == "更新中"
    t.api.advance()
    t.wait_state("更新失败")
    event = t.api.events(t.inst.p, t.inst.id)[0]
    assert (event["type"], event["status"]) == ("update", "failed"), event
    assert t.status()["error"] == event["commandError"].replace("\n", " ").strip()
    jobs = [pe for pe in event["podEventVO"] if pe.get("jobPodStatus")]
    assert jobs and jobs[0]["log"], event

    def newest_update_dir():
        names = sorted(n for n in os.listdir(t.path("events")) if "-update" in n)
        summary = kv_dict(t.read(os.path.join("events", names[-1], "summary")))
        return summary["status"] == "failed" and names[-1]
    name = wait_until(newest_update_dir, timeout=10, what="the failed update in events/")
    assert name.endswith("-update-0.3.0"), name
    edir = os.path.join("events", name)
    summary = kv_dict(t.read(os.path.join(edir, "summary")))
    assert summary["state"] == "更新失败 (update failed)", summary
    assert summary["error"] == t.status()["error"], summary
    log = t.read(os.path.join(edir, "jobs", jobs[0]["name"] + ".log"))
    assert log == jobs[0]["log"]


def test_values_history_shows_what_the_mount_committed(sim0, mount_factory):
    """design.md §5: the values of an operation committed through the mount are shown
    in its events/ directory, also once the server has moved on to newer values."""
    t = target(sim0, mount_factory)
    first = t.deployed() + "historyMark: 1\n"
    second = t.deployed() + "historyMark: 2\n"
    assert write_values(t.path(), first) == 0
    t.api.advance()
    t.wait_state("更新完成")
    assert write_values(t.path(), second) == 0
    t.api.advance()
    t.wait_state("更新完成")
    updates = sorted(n for n in os.listdir(t.path("events")) if "-update" in n)
    texts = []
    for name in updates[-2:]:
        summary = kv_dict(t.read(os.path.join("events", name, "summary")))
        assert summary["values"] == "known", (name, summary)
        texts.append(t.read(os.path.join("events", name, "values.yaml")))
    assert texts == [first, second]


def upgrade_values(t, version_id):
    """V3: what the server deploys for version_id with this instance's values."""
    return t.api.ok("GET", t.api.ins(t.inst.p, t.inst.id,
                                     "/appServiceVersion/%s/upgrade_value" % version_id))["yaml"]


def version_id(t, version):
    found = [v["id"] for v in t.api.versions(t.inst.p, t.inst.item["appServiceId"])
             if v["version"] == version]
    assert len(found) == 1, version
    return found[0]


@pytest.mark.parametrize("line,code,version", [
    ("upgrade", "demo-api-m2n8w", "0.3.0"),          # 0.2.1 → the latest
    ("upgrade 0.2.1", "demo-api-7f3k2", "0.2.1"),    # 0.3.0 → a named (older) version
])
def test_upgrade_deploys_the_merged_values_of_the_version(sim0, mount_factory, line, code,
                                                          version):
    t = target(sim0, mount_factory, code)
    old = t.status()["version"]
    merged = upgrade_values(t, version_id(t, version))
    assert merged != t.deployed()
    before = t.stats()
    assert control(t, line) == 0
    assert t.ops_since(before) == {T_O1: 1}
    assert t.deployed() == merged
    assert t.item()["commandVersion"] == version
    kv = t.status()
    assert kv["state"] == "更新中 (updating)", kv
    assert kv["target_version"] == version and kv["version"] == old, kv
    t.api.advance()
    t.wait_state("更新完成")
    kv = t.status()
    assert kv["version"] == version and kv["latest_version"] == "0.3.0", kv
    assert kv["upgrade_available"] == ("no" if version == "0.3.0" else "yes"), kv
    assert t.read() == merged


def test_upgrade_carries_the_users_values_over(sim0, mount_factory):
    """demo-api-m2n8w runs 3 replicas with the prod profile: still so after the upgrade."""
    t = target(sim0, mount_factory, "demo-api-m2n8w")
    assert control(t, "upgrade") == 0
    values = yaml_load(t.deployed())
    assert values["replicaCount"] == 3
    assert values["env"]["open"]["SPRING_PROFILES_ACTIVE"] == "prod"
    assert values["env"]["open"]["SERVER_SHUTDOWN"] == "graceful"   # new in 0.3.0


@pytest.mark.parametrize("line,err,reason", [
    ("upgrade 9.9.9", errno.EINVAL, "unknown version '9.9.9'"),
    ("upgrade 0.3.0", errno.EINVAL, "0.3.0"),
    ("upgrade", errno.ENOENT, None),
])
def test_upgrade_refusals(sim0, mount_factory, line, err, reason):
    """An unknown version, the deployed one, or no newer version: refused with a clear
    reason and nothing sent (demo-api-7f3k2 runs 0.3.0, its app's newest)."""
    t = target(sim0, mount_factory)
    before = t.stats()
    assert control(t, line) == err
    assert t.ops_since(before) == {}
    summary = t.check_error("upgrade", err)
    if reason:
        assert reason in summary, summary
    else:
        assert "no newer version" in summary or "already at the latest" in summary, summary
    assert t.state() == "更新完成"


@pytest.mark.parametrize("line", ["delete", "delete demo-api-x9p4q", "delete demo-api-7f3k2 x",
                                  "delete *"])
def test_delete_needs_the_instance_code(sim0, mount_factory, line):
    t = target(sim0, mount_factory)
    before = t.stats()
    assert control(t, line) == errno.EINVAL
    assert t.ops_since(before) == {}
    # A line refused by the parser may not name its verb.
    summary = t.check_error(("delete", "operate on"), errno.EINVAL)
    assert "delete" in summary.split(": ", 1)[1], summary
    assert os.path.isdir(t.dir)


def test_delete_removes_the_directory_once_the_server_did(sim0, mount_factory):
    t = target(sim0, mount_factory)
    env_dir = os.path.dirname(t.dir)
    before = t.stats()
    assert control(t, "delete demo-api-7f3k2") == 0
    assert t.ops_since(before) == {T_O5: 1}
    assert t.state() == "删除中"
    assert os.path.isdir(t.dir)
    t.api.advance()
    wait_until(lambda: t.code not in os.listdir(env_dir), timeout=10,
               what="the instance directory to disappear")
    wait_until(lambda: not os.path.exists(t.dir), timeout=5, what="the path to go")
    _, rows = parse_table(t.m.read(*t.lay.env_parts[t.inst.e], "instances"))
    assert t.code not in [r["INSTANCE"] for r in rows]


@pytest.mark.parametrize("line,reason", [
    ("frobnicate", "unknown verb 'frobnicate'"),
    ("stop now", None),
    ("stop\nstart", None),
    ("STOP", None),
])
def test_bad_control_lines_are_einval_and_send_nothing(sim0, mount_factory, line, reason):
    t = target(sim0, mount_factory)
    before = t.stats()
    assert control(t, line) == errno.EINVAL
    assert t.ops_since(before) == {}
    lines = t.last_error().split("\n")
    assert "errno: EINVAL (Invalid argument)" in lines, lines
    assert lines[-2].startswith("cannot "), lines
    assert " ERROR " + lines[-2] in t.log()
    if reason:
        assert reason in lines[-2], lines
    assert t.state() == "更新完成"


def test_blank_lines_do_nothing(sim0, mount_factory):
    t = target(sim0, mount_factory)
    before = t.stats()
    assert control(t, "") == 0
    assert control(t, "   \n") == 0
    assert t.ops_since(before) == {}
    assert t.last_error() == ""
