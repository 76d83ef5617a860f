"""Writes that must fail, and how (design.md §3, §4): users without deploy permission
(mode 0444, EACCES, nothing sent), a disconnected environment (ENOTCONN), a lost update
(ESTALE when the values changed on the server while values.yaml was open), the server going
down during a commit (close fails fast, the text is kept, a later save works), and file
operations that would delete something (EPERM). Every failure is recorded in last_error and
.c7nfs/log in git's style."""
import errno
import os
import re
import stat
import time

import pytest

from mountlib import (HOLD_MS, MANAGED, T_O1, WRITE_TTL, Target, demo_data_file,
                      demo_project, read_bytes, run, write_control, write_values)
from mountlib import mount_factory, sim0  # noqa: F401  (fixtures)
from conftest import sim_factory  # noqa: F401  (fixture)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def open_errno(path, flags):
    try:
        os.close(os.open(path, flags))
    except OSError as e:
        return e.errno
    return 0


def check_no_deploy_permission(t):
    """values.yaml and control read-only, every way of writing them EACCES, nothing sent."""
    old = t.read()
    before = t.stats()
    for name in ("values.yaml", "control"):
        assert mode(t.path(name)) == 0o444, name
        for flags in (os.O_WRONLY, os.O_WRONLY | os.O_TRUNC, os.O_RDWR,
                      os.O_WRONLY | os.O_APPEND):
            assert open_errno(t.path(name), flags) == errno.EACCES, (name, flags)
    assert write_control(t.path("control"), "stop") == errno.EACCES
    r = run("sed", "-i", "s/^replicaCount: .*/replicaCount: 9/", "values.yaml", cwd=t.dir,
            check=False)
    assert r.returncode != 0, r.stderr
    assert t.ops_since(before) == {}
    assert t.read() == old == t.deployed()
    assert t.status()["allowed"] == ""


def check_may_deploy(t):
    assert mode(t.path("values.yaml")) == 0o644
    assert mode(t.path("control")) == 0o644
    text = t.deployed() + "permitted: 1\n"
    before = t.stats()
    assert write_values(t.path(), text) == 0
    assert t.ops_since(before) == {T_O1: 1}
    assert t.deployed() == text


def test_viewer_cannot_deploy_where_it_only_views(sim0, mount_factory):
    """viewer views staging: read-only there; sandbox skips the permission check, so the
    viewer may deploy there."""
    m = mount_factory(sim0, user="viewer", options=WRITE_TTL)
    check_no_deploy_permission(Target(sim0, m, "demo-api-x9p4q"))
    check_may_deploy(Target(sim0, m, "demo-web-s3b7k"))


def test_dev_may_deploy_only_where_granted(sim_factory, mount_factory, tmp_path):
    """The demo data grants dev deploy on every environment it sees; here staging is
    view-only for dev."""
    def staging_view_only(data):
        env = next(e for e in demo_project(data, "ecommerce")["envs"] if e["code"] == "staging")
        env["grants"]["dev"] = "view"
    sim = sim_factory("--data", demo_data_file(tmp_path, staging_view_only),
                      transition_ms=HOLD_MS)
    m = mount_factory(sim, user="dev", options=WRITE_TTL)
    check_no_deploy_permission(Target(sim, m, "demo-api-x9p4q"))
    check_may_deploy(Target(sim, m, "demo-api-7f3k2"))


def test_disconnected_environment_refuses_everything(sim0, mount_factory):
    t = Target(sim0, mount_factory(sim0, options=WRITE_TTL), "demo-api-z1y5x")
    assert t.status()["allowed"] == ""
    old = t.deployed()
    text = old + "offline: 1\n"
    before = t.stats()
    assert write_values(t.path(), text) == errno.ENOTCONN
    summary = t.check_rejected(before, old, text, errno.ENOTCONN)
    assert "disconnected" in summary, summary
    for line in ("stop", "redeploy", "delete demo-api-z1y5x", "upgrade"):
        assert write_control(t.path("control"), line) == errno.ENOTCONN, line
        t.check_error(line.split()[0], errno.ENOTCONN)
    assert t.ops_since(before) == {}


def test_lost_update_is_refused_with_estale(sim0, mount_factory):
    """values.yaml open for writing while someone else deploys other values: the save
    is refused and the mount sends nothing; the other values stay deployed, and reading
    values.yaml again (as the error says to) gives them, so the edit can be redone.
    Default TTLs: the refusal must not wait for the values' cache entry to expire."""
    t = Target(sim0, mount_factory(sim0), "demo-api-7f3k2")
    old = t.deployed()
    mine = old.replace("replicaCount: 1\n", "replicaCount: 2\n")
    theirs = old + "theirs: 1\n"
    fd = os.open(t.path(), os.O_RDWR)
    try:
        assert os.read(fd, 1 << 20).decode("utf-8") == old
        t.api.update(t.inst.p, t.inst.id, theirs)
        t.api.advance()
        before = t.stats()
        os.lseek(fd, 0, os.SEEK_SET)
        os.ftruncate(fd, 0)
        os.write(fd, mine.encode("utf-8"))
    except BaseException:
        os.close(fd)
        raise
    with pytest.raises(OSError) as e:
        os.close(fd)
    assert e.value.errno == errno.ESTALE, e.value
    assert t.ops_since(before) == {}
    summary = t.check_rejected(before, theirs, mine, errno.ESTALE)
    assert "changed on the server" in summary, summary
    redone = t.read().replace("replicaCount: 1\n", "replicaCount: 2\n")
    assert write_values(t.path(), redone, os.O_RDWR) == 0
    assert t.ops_since(before) == {T_O1: 1}
    assert t.deployed() == redone


def close_while_server_down(t, text):
    """Writes text into values.yaml, takes the server down, closes: (errno, seconds)."""
    fd = os.open(t.path(), os.O_WRONLY | os.O_TRUNC)
    os.write(fd, text.encode("utf-8"))
    t.sim.faults(down=True)
    t0 = time.monotonic()
    try:
        os.close(fd)
    except OSError as e:
        return e.errno, time.monotonic() - t0
    finally:
        t.sim.faults(down=False)
    raise AssertionError("close succeeded with the server down")


def test_server_down_during_a_commit_fails_close_fast(sim0, mount_factory):
    """design.md §2: with the server unreachable, writes fail fast with ENOTCONN or
    EHOSTDOWN; the failure is recorded."""
    t = Target(sim0, mount_factory(sim0, options=WRITE_TTL), "demo-api-7f3k2")
    err, took = close_while_server_down(t, t.deployed() + "afterOutage: 1\n")
    assert took < 5, "close took %.1fs" % took
    t.check_error("save 'values.yaml' of", err)
    assert err in (errno.ENOTCONN, errno.EHOSTDOWN), errno.errorcode.get(err, err)


def test_server_down_during_a_commit_keeps_the_text(sim0, mount_factory):
    """The text of the failed save stays in values.yaml.rejected, and once the server is
    back the same save goes through."""
    t = Target(sim0, mount_factory(sim0, options=WRITE_TTL), "demo-api-7f3k2")
    text = t.deployed() + "afterOutage: 1\n"
    close_while_server_down(t, text)
    assert t.read("values.yaml.rejected") == text
    before = t.stats()
    assert write_values(t.path(), text) == 0
    assert t.ops_since(before) == {T_O1: 1}
    assert t.deployed() == text
    assert "values.yaml.rejected" not in t.listing()


def test_nothing_managed_can_be_removed(sim0, mount_factory):
    """unlink, rename and rmdir of what the mount manages are EPERM; rm -rf of an
    instance removes nothing and deletes nothing on the server."""
    t = Target(sim0, mount_factory(sim0, options=WRITE_TTL), "demo-api-7f3k2")
    before = t.stats()
    for name in ("values.yaml", "control", "status", "status.json", "versions",
                 "last_error", "events.log"):
        with pytest.raises(OSError) as e:
            os.unlink(t.path(name))
        assert e.value.errno == errno.EPERM, name
    for name in ("status", "control", "last_error"):
        with pytest.raises(OSError) as e:
            os.rename(t.path(name), t.path(name + ".bak"))
        assert e.value.errno == errno.EPERM, name
    for name in ("resources", "deployments", "events"):
        with pytest.raises(OSError) as e:
            os.rmdir(t.path(name))
        assert e.value.errno == errno.EPERM, name
    with pytest.raises(OSError) as e:
        os.rmdir(t.dir)
    assert e.value.errno == errno.EPERM
    r = run("rm", "-rf", t.dir, check=False)
    assert r.returncode != 0
    assert b"Operation not permitted" in r.stderr, r.stderr
    assert t.ops_since(before) == {}
    assert t.listing() == list(MANAGED)
    assert t.state() == "更新完成"
    assert t.item()["status"] == "running"


def test_rejected_text_cannot_be_removed_and_goes_away_with_a_good_save(sim0, mount_factory):
    t = Target(sim0, mount_factory(sim0, options=WRITE_TTL), "demo-api-7f3k2")
    bad = "replicaCount: [1\n"
    assert write_values(t.path(), bad) == errno.EINVAL
    assert t.read("values.yaml.rejected") == bad
    with pytest.raises(OSError) as e:
        os.unlink(t.path("values.yaml.rejected"))
    assert e.value.errno == errno.EPERM
    os.stat(t.path("values.yaml.rejected"))    # ls -l values.yaml.rejected
    assert write_values(t.path(), t.deployed() + "good: 1\n") == 0
    assert "values.yaml.rejected" not in t.listing()
    # Right after the save, not one attribute timeout later: the name must be gone from
    # the kernel's cache too.
    assert not os.path.exists(t.path("values.yaml.rejected"))
    with pytest.raises(FileNotFoundError):
        read_bytes(t.path("values.yaml.rejected"))


def test_scratch_files_are_kept_locally_and_never_sent(sim0, mount_factory):
    """Editors' swap, probe and temp files live in the mount's memory only."""
    t = Target(sim0, mount_factory(sim0, options=WRITE_TTL), "demo-api-7f3k2")
    before = t.stats()
    for name in (".values.yaml.swp", "4913", "values.yaml~", ".goutputstream-AB12CD"):
        with open(t.path(name), "xb") as f:
            f.write(b"replicaCount: [\n")
        assert read_bytes(t.path(name)) == b"replicaCount: [\n"
    os.rename(t.path("4913"), t.path("4913.old"))
    os.symlink("root@host.1234", t.path(".#values.yaml"))
    assert os.readlink(t.path(".#values.yaml")) == "root@host.1234"
    assert t.ops_since(before) == {}
    assert t.last_error() == ""
    for name in (".values.yaml.swp", "4913.old", "values.yaml~", ".goutputstream-AB12CD",
                 ".#values.yaml"):
        os.unlink(t.path(name))
    assert t.listing() == list(MANAGED)


def test_control_refusals_name_the_state_in_git_style(sim0, mount_factory):
    """cannot stop 'demo-api-7f3k2': instance is stopping (停止中)"""
    t = Target(sim0, mount_factory(sim0, options=WRITE_TTL), "demo-api-7f3k2")
    assert write_control(t.path("control"), "stop") == 0
    before = t.stats()
    assert write_control(t.path("control"), "stop") == errno.EBUSY
    assert t.ops_since(before) == {}
    lines = t.last_error().split("\n")
    assert re.match(r"^time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", lines[0]), lines
    # No server code or message: the mount refused before any request. Empty values are
    # "key:" without a trailing blank (docs/layout.md, text conventions).
    assert lines[1:] == ["verb: stop", "errno: EBUSY (Device or resource busy)", "code:",
                         "message:",
                         "cannot stop 'demo-api-7f3k2': instance is stopping (停止中)", ""]
    assert t.log().rstrip("\n").split("\n")[-1].endswith(" ERROR " + lines[-2])
