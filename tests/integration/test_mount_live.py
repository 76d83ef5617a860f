"""Changes made directly on the emulator show through the mount within the TTL: status,
the instances table, values.yaml, mtime, vanished instances, and `tail -f events.log`
printing an operation's events as they happen."""
import os
import re
import subprocess
import threading
import time

from mountlib import (Api, Layout, allowed_verbs, check_state_label, kv_dict, parse_table,
                      read_bytes, state_zh, wait_until, yaml_dump, yaml_load, T_I1)
from mountlib import mount_factory, sim0  # noqa: F401  (fixtures)

TTL_MS = 1000
SHORT_TTL = ("ttl_status_ms=%d" % TTL_MS, "ttl_list_ms=%d" % TTL_MS)
# The TTL plus what a cat, a request and a slow (sanitizer) build may take.
WITHIN_TTL = TTL_MS / 1000 + 1.5


def live_mount(sim, mount_factory, **pick):
    lay = Layout(Api(sim))
    m = mount_factory(sim, options=SHORT_TTL)
    inst = lay.pick(status="running", where=lambda i: i.env["permission"] and lay.clean(i),
                    **pick)
    return lay, m, inst


def status_of(m, inst):
    return kv_dict(m.read(*inst.parts, "status"))


def wait_status(m, inst, what, pred, since):
    """Polls the status file until pred(kv); returns kv and checks it came within the TTL."""
    kv = wait_until(lambda: (lambda kv: pred(kv) and kv)(status_of(m, inst)),
                    timeout=WITHIN_TTL + 10, what=what)
    took = time.monotonic() - since
    assert took <= WITHIN_TTL, "%s took %.2fs, the TTL is %d ms" % (what, took, TTL_MS)
    return kv


def table_state(m, lay, inst):
    _, rows = parse_table(m.read(*lay.env_parts[inst.e], "instances"))
    return [r["STATE"] for r in rows if r["INSTANCE"] == inst.code]


def test_stop_on_the_server_shows_in_status_within_the_ttl(sim0, mount_factory):
    lay, m, inst = live_mount(sim0, mount_factory)
    assert status_of(m, inst)["status"] == "running"
    lay.api.stop(inst.p, inst.id)
    t0 = time.monotonic()
    kv = wait_status(m, inst, "停止中 in status", lambda kv: kv["status"] == "operating", t0)
    check_state_label(kv["state"], "停止中")
    assert kv["operation"] == "stop operating" and kv["allowed"] == "", kv
    assert table_state(m, lay, inst) == ["停止中"]
    lay.api.advance()
    t0 = time.monotonic()
    kv = wait_status(m, inst, "停止完成 in status", lambda kv: kv["status"] == "stopped", t0)
    check_state_label(kv["state"], "停止完成")
    item = lay.api.instance(inst.p, inst.id)
    newer = lay.newest(inst)["id"] != item["appServiceVersionId"]
    assert kv["allowed"] == " ".join(allowed_verbs(item, inst.env, newer)), kv
    assert "start" in kv["allowed"].split() and "stop" not in kv["allowed"].split(), kv
    assert kv["pods"] == "%d/%d running" % (item["podRunningCount"], item["podCount"]), kv
    assert table_state(m, lay, inst) == ["停止完成"]


def test_new_values_on_the_server_show_in_values_yaml_and_status(sim0, mount_factory):
    lay, m, inst = live_mount(sim0, mount_factory)
    old = m.read(*inst.parts, "values.yaml")
    values = yaml_load(old)
    values["c7nfsTestMarker"] = "live-update"
    lay.api.update(inst.p, inst.id, yaml_dump(values))
    t0 = time.monotonic()
    kv = wait_status(m, inst, "更新中 in status", lambda kv: kv["operation"] == "update operating",
                     t0)
    check_state_label(kv["state"], "更新中")
    served = lay.api.values(inst.p, inst.id)
    assert served != old
    wait_until(lambda: m.read(*inst.parts, "values.yaml") == served, timeout=WITHIN_TTL + 5,
               what="values.yaml to show the new values")
    lay.api.advance()
    t0 = time.monotonic()
    kv = wait_status(m, inst, "更新完成 in status", lambda kv: kv["operation"] == "update success",
                     t0)
    check_state_label(kv["state"], "更新完成")
    assert table_state(m, lay, inst) == [state_zh(lay.api.instance(inst.p, inst.id))]


def test_mtime_moves_only_when_the_content_changes(sim0, mount_factory):
    lay, m, inst = live_mount(sim0, mount_factory)
    path = m.p(*inst.parts, "status")
    data = read_bytes(path)
    st = os.stat(path)
    lists = sim0.stats()["requests"].get(T_I1, 0)

    def refetched_twice():
        assert read_bytes(path) == data
        return sim0.stats()["requests"].get(T_I1, 0) >= lists + 2
    wait_until(refetched_twice, timeout=20, interval=0.1, what="two refetches of the list")
    wait_until(lambda: os.stat(path).st_size == len(data), what="the attributes to settle")
    assert os.stat(path).st_mtime_ns == st.st_mtime_ns, "mtime moved without a change"
    lay.api.stop(inst.p, inst.id)
    wait_until(lambda: read_bytes(path) != data, timeout=WITHIN_TTL + 5, what="the change")
    moved = wait_until(lambda: (lambda s: s.st_mtime_ns > st.st_mtime_ns and s)(os.stat(path)),
                       timeout=10, what="mtime to move")
    new = read_bytes(path)
    assert moved.st_size == len(new)


def test_an_instance_deleted_on_the_server_disappears(sim0, mount_factory):
    lay, m, inst = live_mount(sim0, mount_factory)
    env_dir = m.p(*lay.env_parts[inst.e])
    assert inst.parts[-1] in os.listdir(env_dir)
    r = lay.api.call("DELETE", lay.api.ins(inst.p, inst.id, "/delete"))
    assert r.status == 204, r.body
    lay.api.advance()
    wait_until(lambda: inst.parts[-1] not in os.listdir(env_dir), timeout=WITHIN_TTL + 5,
               what="the instance to leave its environment")
    wait_until(lambda: not os.path.exists(m.p(*inst.parts)), timeout=5,
               what="the instance directory to be gone")
    _, rows = parse_table(m.read(*lay.env_parts[inst.e], "instances"))
    assert inst.code not in [r["INSTANCE"] for r in rows]


class Follower:
    """`tail -f FILE` running in the background, its output collected."""

    def __init__(self, path):
        self.out = b""
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(["tail", "-f", "-s", "0.2", "-c", "+1", path],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while True:
            chunk = self.proc.stdout.read1(65536)
            if not chunk:
                return
            with self.lock:
                self.out += chunk

    def text(self):
        with self.lock:
            return self.out.decode()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.thread.join(timeout=5)
        return self.proc.stderr.read().decode()


def test_tail_f_events_log_prints_an_operations_events_as_they_happen(sim0, mount_factory):
    lay, m, inst = live_mount(sim0, mount_factory)
    path = m.p(*inst.parts, "events.log")
    initial = read_bytes(path).decode()
    seq = len(lay.api.events(inst.p, inst.id)) + 1
    tail = Follower(path)
    reads = [initial]
    try:
        wait_until(lambda: tail.text() == initial, what="tail to print the journal so far")
        lay.api.redeploy(inst.p, inst.id)
        started = re.compile(r"command %04d update\b.*\boperating\b" % seq)
        wait_until(lambda: started.search(tail.text()), timeout=WITHIN_TTL + 5,
                   what="tail -f to print the new operation (%s)" % started.pattern)
        reads.append(read_bytes(path).decode())
        lay.api.advance()
        done = re.compile(r"command %04d update\b.*\bsuccess\b" % seq)
        wait_until(lambda: done.search(tail.text()), timeout=WITHIN_TTL + 5,
                   what="tail -f to print the operation's success (%s)" % done.pattern)
        ev = lay.api.events(inst.p, inst.id)[0]
        assert (ev["type"], ev["status"]) == ("update", "success"), ev
        lines = [(pe["name"], line.strip()) for pe in ev["podEventVO"]
                 for line in (pe.get("event") or "").split("\n") if line.strip()]
        assert lines, "the redeploy produced job and pod events: %r" % ev
        for name, line in lines:
            wait_until(lambda: any(name in x and line in x for x in tail.text().split("\n")),
                       timeout=WITHIN_TTL + 5, what="tail -f to print %s: %s" % (name, line))
        reads.append(read_bytes(path).decode())
        wait_until(lambda: tail.text() == read_bytes(path).decode(), timeout=5,
                   what="tail's output to equal the file")
    finally:
        err = tail.stop()
    assert "truncated" not in err, err
    for a, b in zip(reads, reads[1:]):
        assert b.startswith(a), "events.log only grows"
    assert tail.text().index(started.search(tail.text()).group(0)) < \
        tail.text().index(done.search(tail.text()).group(0))
