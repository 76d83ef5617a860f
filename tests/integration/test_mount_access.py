"""Who sees what (design.md §1, choerodon-api.md §2.3) and how the mount authenticates:
members see only the environments granted to them, deploy permission shows in modes and
verbs, -o project=CODE, token files, config files, rejected tokens."""
import errno
import os
import re
import stat

from conftest import TOKENS
from mountlib import (Api, Layout, for_each, kv_dict, may_deploy, mount_fails, sanitize)
from conftest import sim  # noqa: F401  (fixture)
from mountlib import mount_factory  # noqa: F401  (fixture)


def env_ids(layout):
    return {env["id"] for _, env in layout.all_envs()}


def check_user_view(m, lay):
    assert sorted(os.listdir(m.path)) == \
        sorted([".c7nfs"] + [sanitize(pr["code"]) for pr in lay.projects])
    for pr in lay.projects:
        pdir = sanitize(pr["code"])
        assert sorted(os.listdir(m.p(pdir))) == \
            sorted(lay.env_parts[e["id"]][-1] for e in lay.envs[pr["id"]])
        for env in lay.hidden[pr["id"]]:
            if sanitize(env["code"]) in os.listdir(m.p(pdir)):
                continue   # a visible environment has the same code
            try:
                os.stat(m.p(pdir, sanitize(env["code"])))
            except OSError as e:
                assert e.errno == errno.ENOENT, e
            else:
                raise AssertionError("%s shows the hidden environment %s" % (lay.api.user,
                                                                             env["code"]))

    def check_env(pe):
        pr, env = pe
        kv = kv_dict(m.read(*lay.env_parts[env["id"]], "env"))
        assert kv.get("may_deploy", kv.get("may-deploy")) == ("yes" if may_deploy(env) else "no")
        for inst in lay.in_env(env):
            mode = 0o644 if may_deploy(env) else 0o444
            for name in ("values.yaml", "control"):
                got = stat.S_IMODE(os.stat(m.p(*inst.parts, name)).st_mode)
                assert got == mode, "%s is %o, expected %o" % (name, got, mode)
            status = kv_dict(m.read(*inst.parts, "status"))
            if not may_deploy(env):
                assert status["allowed"] == "", status
    for_each(lay.all_envs(), check_env)


def test_viewer_sees_only_the_environments_granted_to_them(sim, mount_factory):
    admin = Layout(Api(sim, "admin"))
    lay = Layout(Api(sim, "viewer"))
    assert env_ids(lay) < env_ids(admin), "the viewer sees fewer environments than the owner"
    assert any(lay.hidden.values()), "some environment is not granted to the viewer"
    m = mount_factory(sim, user="viewer")
    check_user_view(m, lay)
    assert kv_dict(m.read(".c7nfs", "status"))["user"] == "viewer"


def test_dev_sees_granted_environments_and_may_deploy_where_allowed(sim, mount_factory):
    lay = Layout(Api(sim, "dev"))
    assert any(e["permission"] for _, e in lay.all_envs()), "dev may deploy somewhere"
    m = mount_factory(sim, user="dev")
    check_user_view(m, lay)


def test_project_option_mounts_one_project_at_the_root(sim, mount_factory):
    whole = Layout(Api(sim))
    main = max(whole.projects, key=lambda pr: len(whole.envs[pr["id"]]))
    lay = Layout(Api(sim), project=main["code"])
    m = mount_factory(sim, options=["project=" + main["code"]])
    envs = [lay.env_parts[e["id"]][-1] for e in lay.envs[main["id"]]]
    assert sorted(os.listdir(m.path)) == sorted([".c7nfs"] + envs)
    for inst in lay.instances:
        assert kv_dict(m.read(*inst.parts, "status"))["instance"] == inst.code
    for pr in whole.projects:
        if sanitize(pr["code"]) not in envs:
            assert not os.path.exists(m.p(sanitize(pr["code"]))), pr["code"]


def test_token_file_readable_by_others_is_refused(sim, tmp_path):
    tok = tmp_path / "token"
    tok.write_text(TOKENS["admin"] + "\n")
    tok.chmod(0o644)
    rc, err, took = mount_fails(sim, options=["token_file=" + str(tok)])
    assert rc != 0, err
    assert str(tok) in err, "the message names the file: %r" % err
    assert re.search(r"0?644|group|others|chmod", err), "the message says why: %r" % err
    assert TOKENS["admin"] not in err
    assert took < 10, took


def test_token_file_private_to_its_owner_mounts(sim, mount_factory, tmp_path):
    tok = tmp_path / "token"
    tok.write_text("  %s\n" % TOKENS["viewer"])
    tok.chmod(0o600)
    m = mount_factory(sim, token=False, options=["token_file=" + str(tok)])
    assert kv_dict(m.read(".c7nfs", "status"))["user"] == "viewer"
    assert TOKENS["viewer"] not in m.log()


def test_rejected_token_fails_the_mount_with_a_clear_message(sim):
    rc, err, took = mount_fails(sim, token="c7n-not-a-token")
    assert rc != 0, err
    assert sim.url in err, "the message names the server: %r" % err
    assert re.search(r"401|token|unauthori[sz]ed|refused|rejected|denied", err, re.I), err
    assert "c7n-not-a-token" not in err, "never print secrets"
    assert took < 10, took


def test_no_credentials_fails_the_mount_with_a_clear_message(sim):
    rc, err, took = mount_fails(sim)
    assert rc != 0, err
    assert "C7NFS_TOKEN" in err and "token_file" in err, err


def test_config_file_password_grant_mounts(sim, mount_factory, tmp_path):
    cfg = tmp_path / "config"
    cfg.write_text("# c7nfs\nusername = dev\npassword = dev\nclient_id = c7nfs-test\n")
    cfg.chmod(0o600)
    m = mount_factory(sim, token=False, options=["config=" + str(cfg)])
    assert kv_dict(m.read(".c7nfs", "status"))["user"] == "dev"
    with open("/proc/%d/cmdline" % m.proc.pid, "rb") as f:
        argv = f.read().split(b"\0")
    assert b"dev" not in [a.split(b"=")[-1] for a in argv], "the password is not in argv"
    lay = Layout(Api(sim, "dev"))
    assert sorted(os.listdir(m.path)) == \
        sorted([".c7nfs"] + [sanitize(pr["code"]) for pr in lay.projects])


def test_config_file_readable_by_others_is_refused(sim, tmp_path):
    cfg = tmp_path / "config"
    cfg.write_text("username = dev\npassword = dev\n")
    cfg.chmod(0o640)
    rc, err, took = mount_fails(sim, options=["config=" + str(cfg)])
    assert rc != 0, err
    assert str(cfg) in err and re.search(r"0?640|group|others|chmod", err), err


def test_wrong_password_fails_the_mount(sim, tmp_path):
    cfg = tmp_path / "config"
    cfg.write_text("username = dev\npassword = not-the-password\n")
    cfg.chmod(0o600)
    rc, err, took = mount_fails(sim, options=["config=" + str(cfg)])
    assert rc != 0, err
    assert "dev" in err and "not-the-password" not in err, err
