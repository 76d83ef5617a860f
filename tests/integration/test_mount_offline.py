"""The server goes away (design.md §2): cached content is still served, uncached lookups
fail within the configured timeout with an errno instead of hanging, .c7nfs/status says
offline, and the mount recovers by itself when the server returns."""
import errno
import os
import re

from conftest import sim_factory  # noqa: F401  (fixture)
from mountlib import (HOLD_MS, Api, Layout, errname, failure, kv_dict, read_bytes, wait_until)
from mountlib import mount_factory, sim0  # noqa: F401  (fixtures)

TIMEOUT_MS = 2000
OPTIONS = ("ttl_status_ms=300", "ttl_list_ms=300", "ttl_static_ms=300",
           "connect_timeout_ms=1000", "timeout_ms=%d" % TIMEOUT_MS)
# What the kernel round trip and a sanitizer build add to the configured timeout.
SLACK = 1.0
UNREACHABLE = (errno.ENOTCONN, errno.EHOSTDOWN)


def mount_state(m):
    """The online/offline word of .c7nfs/status."""
    text = m.read(".c7nfs", "status")
    words = re.findall(r"^[a-z_]+: (online|offline)$", text, re.M)
    assert len(words) == 1, text
    return words[0]


def back_online(m, uncached):
    """Tries a lookup that needs the server (recovery happens on use), then asks whether
    the mount says online again."""
    try:
        os.stat(uncached)
    except OSError:
        return False
    return mount_state(m) == "online"


def two_envs(lay):
    """A running instance and an instance of another connected environment."""
    a = lay.pick(status="running")
    b = lay.pick(connected=True, where=lambda i: i.e != a.e)
    return a, b


def test_server_down_cached_files_read_uncached_lookups_fail_fast(sim0, mount_factory):
    lay = Layout(Api(sim0))
    m = mount_factory(sim0, options=OPTIONS)
    a, b = two_envs(lay)
    names = ("status", "status.json", "values.yaml", "versions", "control")
    cached = {n: read_bytes(m.p(*a.parts, n)) for n in names}
    table = read_bytes(m.p(*lay.env_parts[a.e], "instances"))
    assert mount_state(m) == "online"

    sim0.faults(down=True)

    def offline_and_still_served():
        for n, data in cached.items():
            assert read_bytes(m.p(*a.parts, n)) == data, "cached %s is still served" % n
        assert read_bytes(m.p(*lay.env_parts[a.e], "instances")) == table
        return mount_state(m) == "offline"
    wait_until(offline_and_still_served, timeout=20, interval=0.1,
               what=".c7nfs/status to say offline")
    for n, data in cached.items():
        assert os.stat(m.p(*a.parts, n)).st_size == len(data), n

    # events/ itself is part of the fixed layout; listing it needs the server.
    uncached = [(os.stat, m.p(*b.parts)), (os.stat, m.p(*b.parts, "status")),
                (os.stat, m.p(*a.parts, "resources", "pods")),
                (os.listdir, m.p(*a.parts, "events"))]
    for call, path in uncached:
        err, took = failure(call, path)
        assert err in UNREACHABLE, "%s: %s, expected ENOTCONN or EHOSTDOWN" % (path, errname(err))
        assert took <= TIMEOUT_MS / 1000 + SLACK, "%s failed after %.2fs" % (path, took)
    err, took = failure(read_bytes, m.p(*a.parts, "resources", "services"))
    assert err in UNREACHABLE and took <= TIMEOUT_MS / 1000 + SLACK, (errname(err), took)
    assert "offline" in m.read(".c7nfs", "status")

    sim0.faults(clear=True)
    wait_until(lambda: back_online(m, m.p(*b.parts)), timeout=20, interval=0.1,
               what="the mount to come back online")
    kv = kv_dict(m.read(*b.parts, "status"))
    assert kv["instance"] == b.code and kv["status"] == b.item["status"], kv
    assert read_bytes(m.p(*a.parts, "values.yaml")) == cached["values.yaml"]
    assert read_bytes(m.p(*a.parts, "resources", "pods"))


def test_server_process_gone_and_back(sim_factory, mount_factory):
    """The server's process ends (connections refused), then a new one listens on the
    same address: the mount serves its cache meanwhile and recovers without a remount."""
    sim = sim_factory(transition_ms=HOLD_MS)
    lay = Layout(Api(sim))
    m = mount_factory(sim, options=OPTIONS)
    a, b = two_envs(lay)
    status = read_bytes(m.p(*a.parts, "status"))
    sim.stop()

    def offline_and_still_served():
        assert read_bytes(m.p(*a.parts, "status")) == status
        return mount_state(m) == "offline"
    wait_until(offline_and_still_served, timeout=20, interval=0.1,
               what=".c7nfs/status to say offline")
    err, took = failure(os.stat, m.p(*b.parts))
    assert err in UNREACHABLE, errname(err)
    assert took <= TIMEOUT_MS / 1000 + SLACK, took

    port = sim.url.rsplit(":", 1)[1]
    again = sim_factory("--listen", "127.0.0.1:" + port, transition_ms=HOLD_MS)
    assert again.url == sim.url
    wait_until(lambda: back_online(m, m.p(*b.parts)), timeout=20, interval=0.1,
               what="the mount to come back online")
    assert kv_dict(m.read(*b.parts, "status"))["instance"] == b.code


def test_hanging_server_uncached_lookups_time_out(sim0, mount_factory):
    lay = Layout(Api(sim0))
    m = mount_factory(sim0, options=OPTIONS)
    a, b = two_envs(lay)
    read_bytes(m.p(*a.parts, "status"))
    sim0.faults(latency_ms=TIMEOUT_MS + 3000)
    try:
        err, took = failure(os.stat, m.p(*b.parts))
        assert err in UNREACHABLE + (errno.ETIMEDOUT,), errname(err)
        assert took <= TIMEOUT_MS / 1000 + SLACK, "the lookup took %.2fs" % took
        err, took = failure(read_bytes, m.p(*a.parts, "resources", "pods"))
        assert err in UNREACHABLE + (errno.ETIMEDOUT,), errname(err)
        assert took <= TIMEOUT_MS / 1000 + SLACK, "the read took %.2fs" % took
    finally:
        sim0.faults(clear=True)
    wait_until(lambda: os.path.isdir(m.p(*b.parts)), timeout=20, interval=0.1,
               what="lookups to work again")
    assert mount_state(m) == "online"


def test_server_errors_are_not_cached_as_content(sim0, mount_factory):
    lay = Layout(Api(sim0))
    m = mount_factory(sim0, options=OPTIONS)
    a, b = two_envs(lay)
    sim0.faults(error_rate=1, error_status=503)
    try:
        err, took = failure(os.stat, m.p(*b.parts, "status"))
        assert err != errno.ENOENT, "a 503 is not 'no such instance'"
        assert took <= TIMEOUT_MS / 1000 + SLACK, took
    finally:
        sim0.faults(clear=True)
    wait_until(lambda: os.path.exists(m.p(*b.parts, "status")), timeout=20, interval=0.1,
               what="the instance to be readable again")
    assert kv_dict(m.read(*b.parts, "status"))["instance"] == b.code
