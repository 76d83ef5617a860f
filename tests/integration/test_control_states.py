"""Every cell of design.md §4's state × verb table, through the mount: in each of the 13
states, each verb (edit = a save of values.yaml, redeploy, start, stop, delete, upgrade)
either runs, sending exactly the one request of its template, or is refused with its errno
and nothing sent, the refusal recorded in last_error and .c7nfs/log.

Instances come from the demo data; the states the data has no instance in are reached
through the emulator's API on an emulator whose operations complete only on /_sim/advance.
创建中 (no create endpoint in the API) comes from a data file with one more instance."""
import errno

import pytest

from mountlib import (HOLD_MS, T_O1, VERB_REQUEST, WRITE_TTL, Target, api_delete,
                      demo_data_file, demo_project, write_control, write_values)
from mountlib import mount_factory  # noqa: F401  (fixture)
from conftest import sim_factory  # noqa: F401  (fixture)

CREATING = "demo-api-c4e8n"


def add_creating_instance(data):
    demo_project(data, "ecommerce")["instances"].append({
        "code": CREATING, "env": "dev", "app": "demo-api",
        "history": [{"type": "create", "version": "0.2.1", "at": "-1m", "user": "admin",
                     "result": "operating"}]})


# state: (instance, change to the demo data, operations sent to the emulator first)
SETUPS = {
    "创建中": (CREATING, add_creating_instance, ()),
    "创建成功": ("report-api-d3e4f", None, ()),
    "创建失败": ("order-service-b5c1d", None, ()),
    "更新中": ("order-service-k3v7m", None, ()),
    "更新完成": ("demo-api-7f3k2", None, ()),
    "更新失败": ("demo-api-x9p4q", None, ()),
    "停止中": ("demo-api-7f3k2", None, ("stop",)),
    "停止完成": ("demo-web-q8r2z", None, ()),
    "停止失败": ("order-service-p6t9s", None, ()),
    "重启中": ("demo-web-q8r2z", None, ("start",)),
    "重启完成": ("demo-web-q8r2z", None, ("start", "advance")),
    "重启失败": ("demo-web-t5v9b", None, ()),
    "删除中": ("demo-api-7f3k2", None, ("delete",)),
}

# design.md §4's table, narrowed as it says: stop needs status running, start needs
# stopped, upgrade needs edit and a newer version. demo-api-7f3k2 runs its app's newest
# version; every other instance above has a newer one.
ALLOWED = {
    "创建中": "",
    "创建成功": "edit redeploy stop delete upgrade",
    "创建失败": "edit redeploy delete upgrade",
    "更新中": "",
    "更新完成": "edit redeploy stop delete",
    "更新失败": "edit redeploy stop delete upgrade",
    "停止中": "",
    "停止完成": "edit start delete upgrade",
    "停止失败": "edit redeploy stop delete upgrade",
    "重启中": "",
    "重启完成": "edit redeploy stop delete upgrade",
    "重启失败": "edit start delete upgrade",
    "删除中": "",
}
VERBS = ("edit", "redeploy", "start", "stop", "delete", "upgrade")
STATE_IDS = ["creating", "created", "create-failed", "updating", "updated", "update-failed",
             "stopping", "stopped", "stop-failed", "restarting", "restarted", "restart-failed",
             "deleting"]


def state_target(sim_factory, mount_factory, tmp_path, state):
    code, change, steps = SETUPS[state]
    args = ("--data", demo_data_file(tmp_path, change)) if change else ()
    sim = sim_factory(*args, transition_ms=HOLD_MS)
    t = Target(sim, mount_factory(sim, options=WRITE_TTL), code)
    run = {"stop": t.api.stop, "start": t.api.start,
           "delete": lambda p, i: api_delete(t.api, p, i),
           "advance": lambda p, i: t.api.advance()}
    for step in steps:
        run[step](t.inst.p, t.inst.id)
    t.wait_state(state)
    return t


def refusal_errno(state, verb):
    # upgrade where editing is allowed fails only for want of a newer version
    if verb == "upgrade" and "edit" in ALLOWED[state].split():
        return errno.ENOENT
    return errno.EBUSY


def run_verb(t, verb):
    """The verb through the mount; returns 0 or the errno the user sees."""
    if verb == "edit":
        return write_values(t.path(), t.deployed() + "cellEdit: 1\n")
    line = "delete " + t.code if verb == "delete" else verb
    return write_control(t.path("control"), line)


@pytest.mark.parametrize("state", list(SETUPS), ids=STATE_IDS)
def test_allowed_verbs_are_listed(sim_factory, mount_factory, tmp_path, state):
    t = state_target(sim_factory, mount_factory, tmp_path, state)
    assert t.status()["allowed"] == ALLOWED[state]
    assert t.read("control").split("\n")[0] == ("allowed: " + ALLOWED[state]).rstrip()


@pytest.mark.parametrize("verb", VERBS)
@pytest.mark.parametrize("state", list(SETUPS), ids=STATE_IDS)
def test_state_verb_cell(sim_factory, mount_factory, tmp_path, state, verb):
    t = state_target(sim_factory, mount_factory, tmp_path, state)
    old = t.deployed()
    before = t.stats()
    err = run_verb(t, verb)
    if verb in ALLOWED[state].split():
        assert err == 0, "%s refused in %s: %s\n%s" % (
            verb, state, errno.errorcode.get(err), t.last_error())
        assert t.ops_since(before) == {VERB_REQUEST[verb]: 1}
        assert t.last_error() == ""
        return
    want = refusal_errno(state, verb)
    assert err == want, "%s in %s: %s, expected %s" % (
        verb, state, errno.errorcode.get(err, err), errno.errorcode[want])
    assert t.ops_since(before) == {}
    if verb == "edit":
        t.check_rejected(before, old, old + "cellEdit: 1\n", want)
    else:
        t.check_error(verb, want)
    assert T_O1 not in t.ops_since(before)
