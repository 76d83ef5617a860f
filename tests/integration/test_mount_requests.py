"""Request economy (design.md §2), counted by the emulator's /_sim/stats: listings cost a
bounded number of requests whatever the number of instances, cached answers cost none
within their TTL, concurrent readers share one request, and .c7nfs/ctl flush drops the
cache."""
import errno
import os
import threading
import time

import pytest

from conftest import sim_factory  # noqa: F401  (fixture)
from mountlib import (HOLD_MS, LONG_TTL, PER_INSTANCE, T_A2, T_A4, T_E1, T_E2, T_I1, T_I4,
                      T_R1, Api, Layout, kv_dict, read_bytes, run, stats_delta)
from mountlib import mnt, mount_factory, sim0  # noqa: F401  (fixtures)


def test_ls_l_of_an_env_with_50_instances_costs_a_bounded_number_of_requests(
        sim_factory, mount_factory):
    sim = sim_factory("--generate", "1,2,50", transition_ms=HOLD_MS)
    lay = Layout(Api(sim))
    m = mount_factory(sim, options=LONG_TTL)
    envs = lay.all_envs()
    assert len(envs) == 2
    for pr, env in envs:
        insts = lay.in_env(env)
        assert len(insts) == 50
        before = sim.stats()
        out = run("ls", "-l", m.p(*lay.env_parts[env["id"]])).stdout.decode()
        delta = stats_delta(before, sim.stats())
        rows = [line.split() for line in out.split("\n")[1:] if line]
        assert sorted(r[-1] for r in rows) == \
            sorted(["env", "instances"] + [i.parts[-1] for i in insts])
        sizes = {r[-1]: int(r[4]) for r in rows}
        for name in ("env", "instances"):
            assert sizes[name] == len(read_bytes(m.p(*lay.env_parts[env["id"]], name))), name
        assert set(delta) <= {T_A2, T_A4, T_E1, T_E2, T_I1}, \
            "ls -l of 50 instances asked %r" % delta
        assert all(n == 1 for n in delta.values()), "one request of each kind: %r" % delta
        assert delta.get(T_I1) == 1, delta


def test_status_of_every_instance_of_an_env_costs_one_list_request(sim_factory, mount_factory):
    sim = sim_factory("--generate", "1,1,50", transition_ms=HOLD_MS)
    lay = Layout(Api(sim))
    m = mount_factory(sim, options=LONG_TTL)
    pr, env = lay.all_envs()[0]
    apps = {i.item["appServiceId"] for i in lay.in_env(env)}
    base = m.p(*lay.env_parts[env["id"]])
    before = sim.stats()
    out = run("sh", "-c", 'cat "$1"/*/status', "sh", base).stdout.decode()
    delta = stats_delta(before, sim.stats())
    assert sum(line.startswith("state: ") for line in out.split("\n")) == 50, out[:500]
    assert not set(delta) & set(PER_INSTANCE), "status asked per instance: %r" % delta
    assert set(delta) <= {T_A2, T_A4, T_E1, T_E2, T_I1, T_R1}, delta
    assert delta.get(T_I1) == 1, "one instance list feeds every status: %r" % delta
    assert delta.get(T_R1, 0) <= len(apps), "versions are asked per app service: %r" % delta


def test_second_cat_within_the_ttl_costs_nothing(sim0, mount_factory):
    m = mount_factory(sim0)   # the default TTLs: 2 s for status-like answers, 10 s for lists
    lay = Layout(Api(sim0))
    inst = lay.pick(status="running")
    path = m.p(*inst.parts, "status")
    first = run("cat", path).stdout
    t0 = time.monotonic()
    before = sim0.stats()
    second = run("cat", path).stdout
    delta = stats_delta(before, sim0.stats())
    assert time.monotonic() - t0 < 2.0, "the second cat came too late to be within the TTL"
    assert delta == {}, "a cached status asked the server: %r" % delta
    assert second == first


def test_rereading_a_whole_instance_within_the_ttl_costs_nothing(sim0, mount_factory):
    m = mount_factory(sim0, options=LONG_TTL)
    lay = Layout(Api(sim0))
    inst = lay.pick(status="running")
    files = [f for f in run("find", m.p(*inst.parts), "-type", "f").stdout.decode().split("\n")
             if f]
    first = {f: run("cat", f).stdout for f in files}
    before = sim0.stats()
    again = {f: run("cat", f).stdout for f in files}
    delta = stats_delta(before, sim0.stats())
    assert delta == {}, "cached files asked the server: %r" % delta
    assert again == first


def parallel_cat(sim, path, n=20):
    """n threads each run `cat path` at the same moment while every request of the
    emulator takes 500 ms; returns their outputs and the requests they caused."""
    sim.faults(latency_ms=500)
    before = sim.stats()
    barrier = threading.Barrier(n)
    out = [None] * n

    def reader(k):
        barrier.wait()
        out[k] = run("cat", path).stdout

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(n)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        sim.faults(clear=True)
    assert all(o is not None for o in out), "a reader did not finish"
    assert out[0] and all(o == out[0] for o in out), "the readers got different answers"
    return stats_delta(before, sim.stats())


def test_20_parallel_readers_of_one_file_cost_one_request(sim0, mount_factory):
    m = mount_factory(sim0, options=LONG_TTL)
    lay = Layout(Api(sim0))
    inst = lay.pick(status="running")
    os.stat(m.p(*inst.parts))   # the instance list is cached now, the resources are not
    delta = parallel_cat(sim0, m.p(*inst.parts, "resources", "pods"))
    assert delta == {T_I4: 1}, "20 readers asked %r" % delta


def test_20_parallel_readers_after_a_flush_cost_one_request_of_each_kind(sim0, mount_factory):
    m = mount_factory(sim0, options=LONG_TTL)
    lay = Layout(Api(sim0))
    inst = lay.pick(status="running")
    path = m.p(*inst.parts, "resources", "pods")
    first = read_bytes(path)
    run("sh", "-c", 'echo flush > "$1"', "sh", m.p(".c7nfs", "ctl"))
    # The kernel still knows the path; every reader's open asks c7nfs for everything
    # from the project list down to the resources at once.
    delta = parallel_cat(sim0, path)
    assert delta.get(T_I4) == 1, delta
    assert all(n == 1 for n in delta.values()), "20 readers asked %r" % delta
    assert read_bytes(path) == first


def test_ctl_flush_makes_the_next_read_ask_the_server(sim0, mount_factory):
    m = mount_factory(sim0, options=LONG_TTL)
    lay = Layout(Api(sim0))
    inst = lay.pick(status="running", where=lambda i: i.env["permission"])
    path = m.p(*inst.parts, "status")
    assert kv_dict(m.read(*inst.parts, "status"))["status"] == "running"
    lay.api.stop(inst.p, inst.id)
    before = sim0.stats()
    assert kv_dict(m.read(*inst.parts, "status"))["status"] == "running", \
        "within its TTL the status is the cached answer"
    assert stats_delta(before, sim0.stats()) == {}
    run("sh", "-c", 'echo flush > "$1"', "sh", m.p(".c7nfs", "ctl"))
    before = sim0.stats()
    kv = kv_dict(run("cat", path).stdout.decode())
    delta = stats_delta(before, sim0.stats())
    assert delta.get(T_I1) == 1, "the read after flush asks for the list again: %r" % delta
    assert kv["status"] == "operating" and kv["operation"] == "stop operating", kv


def test_ctl_refuses_unknown_commands(mnt):
    with pytest.raises(OSError) as e:
        with open(mnt.p(".c7nfs", "ctl"), "wb", buffering=0) as f:
            f.write(b"drop-everything\n")
    assert e.value.errno == errno.EINVAL, e.value
