"""The mount's session: tokens that expire while mounted (renewed where the grant
allows it, else EACCES with the reason in the log), and clean unmounts on SIGINT and
SIGTERM as well as `fusermount3 -u`."""
import errno
import os
import signal

import pytest

from conftest import wait_until
from conftest import sim_factory  # noqa: F401  (fixture)
from mountlib import Api, Layout, in_proc_mounts, mount_factory  # noqa: F401

# Short status TTL so that every read after the token expired asks the server.
OPTIONS = ["ttl_status_ms=0", "ttl_list_ms=0", "ttl_static_ms=0"]


def first_status(m, lay):
    inst = lay.pick()
    return m.p(*inst.parts, "status")


def test_expired_token_is_renewed_with_the_password_grant(sim_factory, mount_factory,
                                                          tmp_path):
    """Tokens of the password grant live one second here: reads keep working, because
    the mount logs in again (the server answers 403 accessTokenExpired)."""
    sim = sim_factory("--token-ttl", "1")
    cfg = tmp_path / "config"
    cfg.write_text("username = admin\npassword = admin\n")
    cfg.chmod(0o600)
    m = mount_factory(sim, token=False, options=["config=" + str(cfg)] + OPTIONS)
    path = first_status(m, Layout(Api(sim)))
    first = m.read(os.path.relpath(path, m.path))
    grants = sim.stats()["requests"].get("POST /oauth/oauth/token", 0)

    def renewed():
        m.read(os.path.relpath(path, m.path))
        return sim.stats()["requests"].get("POST /oauth/oauth/token", 0) > grants
    wait_until(renewed, timeout=15, interval=0.2, what="a token renewal")
    assert m.read(os.path.relpath(path, m.path)).splitlines()[0] == first.splitlines()[0]
    assert "access token renewed for 'admin'" in m.read(".c7nfs", "log")


def test_expired_token_without_a_way_to_renew_gives_eacces(sim_factory, mount_factory):
    """A bare token cannot be renewed: once it expires reads fail with EACCES and
    .c7nfs/log says why."""
    sim = sim_factory()
    token = sim.request("POST", "/_sim/tokens", body={"user": "admin", "ttl_ms": 1500},
                        token=None).json()["access_token"]
    m = mount_factory(sim, user=token, options=OPTIONS)
    rel = os.path.relpath(first_status(m, Layout(Api(sim))), m.path)
    m.read(rel)

    def refused():
        try:
            m.read(rel)
        except OSError as e:
            return e.errno
        return None
    assert wait_until(refused, timeout=15, interval=0.2, what="EACCES") == errno.EACCES
    log = m.read(".c7nfs", "log")
    assert "cannot be renewed" in log, log


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_unmounts_cleanly(sim_factory, mount_factory, sig):
    sim = sim_factory()
    m = mount_factory(sim)
    assert os.listdir(m.path)
    os.kill(m.proc.pid, sig)
    assert m.proc.wait(timeout=20) == 0, m.log()
    wait_until(lambda: not in_proc_mounts(m.path), timeout=10, what="the mount to go")
