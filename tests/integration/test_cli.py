"""The command line: --version, --help, and refusals that happen before any mount."""
import subprocess

from conftest import C7NFS_BIN


def c7nfs(*args, env=None):
    return subprocess.run([C7NFS_BIN, *args], capture_output=True, text=True, timeout=30,
                          env=env)


def test_version_names_c7nfs_first():
    r = c7nfs("--version")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith("c7nfs "), r.stdout


def test_help_lists_the_c7nfs_options():
    r = c7nfs("--help")
    assert r.returncode == 0, r.stderr
    for opt in ("--demo", "server=URL", "token_file=PATH", "config=PATH", "project=CODE",
                "ttl_status_ms", "insecure"):
        assert opt in r.stdout, opt


def test_missing_mount_point_is_an_error():
    r = c7nfs("-o", "server=http://127.0.0.1:9")
    assert r.returncode == 1
    assert "no mount point" in r.stderr


def test_secrets_are_refused_as_mount_options(tmp_path):
    for opt in ("token=abc", "password=abc"):
        r = c7nfs("-o", "server=http://127.0.0.1:9," + opt, str(tmp_path))
        assert r.returncode == 1, opt
        assert "not accepted as a mount option" in r.stderr, r.stderr


def test_no_server_is_an_error(tmp_path):
    r = c7nfs(str(tmp_path), env={"C7NFS_TOKEN": "x", "HOME": str(tmp_path)})
    assert r.returncode == 1
    assert "no server" in r.stderr, r.stderr
