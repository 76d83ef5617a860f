"""Non-interactive tools saving values.yaml (design.md §3, fuse-notes.md §2): sed -i and
perl -pi (temp file renamed over values.yaml), Python's tempfile + os.replace, cp, a shell
`cat >` and a shell `>>`. Each save must reach the server as exactly one update carrying
exactly the new text; an invalid text must make the tool fail (its exit status and message,
or the OSError of os.replace), send nothing, and stay readable in values.yaml.rejected."""
import errno
import os
import subprocess
import tempfile

import pytest

from mountlib import MANAGED, T_O1, replaced_once, run
from mountlib import edit_mount_factory, edit_target, sim0  # noqa: F401  (fixtures)

OLD_LINE = "replicaCount: 1\n"


def sed_i(t, tmp, value):
    new = replaced_once(t.deployed(), OLD_LINE, "replicaCount: %s\n" % value)
    r = run("sed", "-i", "s/^replicaCount: 1$/replicaCount: %s/" % value, "values.yaml",
            cwd=t.dir, check=False)
    return r, new


def perl_pi(t, tmp, value):
    new = replaced_once(t.deployed(), OLD_LINE, "replicaCount: %s\n" % value)
    r = run("perl", "-pi", "-e", "s/^replicaCount: 1$/replicaCount: %s/" % value, "values.yaml",
            cwd=t.dir, check=False)
    return r, new


def cp(t, tmp, value):
    new = replaced_once(t.deployed(), OLD_LINE, "replicaCount: %s\n" % value)
    other = tmp / "other.yaml"
    other.write_bytes(new.encode("utf-8"))
    r = run("cp", str(other), "values.yaml", cwd=t.dir, check=False)
    return r, new


def cat_redirect(t, tmp, value):
    new = replaced_once(t.deployed(), OLD_LINE, "replicaCount: %s\n" % value)
    other = tmp / "other.yaml"
    other.write_bytes(new.encode("utf-8"))
    with open(other, "rb") as stdin:
        r = run("sh", "-c", "cat > values.yaml", cwd=t.dir, stdin=stdin, check=False)
    return r, new


def echo_append(t, tmp, value):
    """The shell's builtin echo cannot report an error of the close that ends its
    redirection, so the invalid case runs /bin/echo, whose close is checked."""
    new = t.deployed() + "key: %s\n" % value
    echo = "echo" if value == "1" else "/bin/echo"
    r = run("sh", "-c", '%s "key: %s" >> values.yaml' % (echo, value), cwd=t.dir, check=False)
    return r, new


TOOLS = {"sed -i": sed_i, "perl -pi": perl_pi, "cp": cp, "cat >": cat_redirect,
         "echo >>": echo_append}


@pytest.mark.parametrize("tool", list(TOOLS))
def test_tool_saves_once(edit_target, tmp_path, tool):
    t = edit_target
    before = t.stats()
    r, new = TOOLS[tool](t, tmp_path, "1" if tool == "echo >>" else "3")
    assert r.returncode == 0, r.stderr
    assert r.stderr == b""
    t.check_saved(before, new)


@pytest.mark.parametrize("tool", list(TOOLS))
def test_tool_invalid_yaml_is_refused(edit_target, tmp_path, tool):
    t = edit_target
    old = t.deployed()
    before = t.stats()
    r, bad = TOOLS[tool](t, tmp_path, "[3")
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode != 0, err
    assert "Invalid argument" in err, err
    summary = t.check_rejected(before, old, bad, errno.EINVAL)
    t.check_yaml_error(summary, bad)
    assert t.listing() == sorted(MANAGED + ("values.yaml.rejected",))
    t.check_good_save_clears_rejected()


def python_replace(directory, text):
    """The atomic save of Python programs: a temp file in the same directory, then
    os.replace over the target. Returns the temp file's path."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=directory, prefix=".values.",
                                     suffix=".tmp", delete=False) as f:
        f.write(text)
    os.replace(f.name, os.path.join(directory, "values.yaml"))
    return f.name


def test_python_tempfile_and_os_replace_saves_once(edit_target):
    t = edit_target
    new = replaced_once(t.deployed(), OLD_LINE, "replicaCount: 4\n")
    before = t.stats()
    python_replace(t.dir, new)
    t.check_saved(before, new)


def test_python_os_replace_of_invalid_yaml_fails_with_einval(edit_target):
    """os.replace raises EINVAL; the temp file stays with the user's text (the mount
    removes a scratch file only when its rename committed), and the user can remove it."""
    t = edit_target
    old = t.deployed()
    bad = replaced_once(old, OLD_LINE, "replicaCount: [4\n")
    before = t.stats()
    with pytest.raises(OSError) as e:
        python_replace(t.dir, bad)
    assert e.value.errno == errno.EINVAL, e.value
    temp = e.value.filename
    assert os.path.dirname(temp) == t.dir, temp
    with open(temp, encoding="utf-8") as f:
        assert f.read() == bad
    summary = t.check_rejected(before, old, bad, errno.EINVAL)
    t.check_yaml_error(summary, bad)
    os.unlink(temp)
    assert os.path.basename(temp) not in t.listing()
    t.check_good_save_clears_rejected()


def test_byte_identical_save_sends_nothing(edit_target):
    """Saving the deployed text unchanged (vim :wq without an edit, cp of a copy) is not an
    operation: no request, no error, no rejected file."""
    t = edit_target
    old = t.deployed()
    before = t.stats()
    run("vim", "-u", "DEFAULTS", "-i", "NONE", "-es", "-c", "wq", "values.yaml", cwd=t.dir,
        stdin=subprocess.DEVNULL)
    run("sed", "-i", "s/^replicaCount: 1$/replicaCount: 1/", "values.yaml", cwd=t.dir)
    assert t.ops_since(before) == {}
    assert t.read() == old
    assert t.state() == "更新完成"
    assert t.last_error() == ""
    assert "values.yaml.rejected" not in t.listing()


def test_close_of_a_duplicate_commits_once(edit_target):
    """flush runs at every close of a dup'ed descriptor: only a changed text is sent, and a
    write after the first close is sent at the next one."""
    t = edit_target
    first = t.deployed() + "dupEdit: 1\n"
    second = first + "dupEdit2: 2\n"
    before = t.stats()
    fd = os.open(t.path(), os.O_WRONLY | os.O_TRUNC)
    other = os.dup(fd)
    os.write(fd, first.encode("utf-8"))
    os.close(other)
    assert t.ops_since(before) == {T_O1: 1}
    assert t.deployed() == first
    t.api.advance()
    t.wait_state("更新完成")
    os.write(fd, "dupEdit2: 2\n".encode("utf-8"))
    os.close(fd)
    assert t.ops_since(before) == {T_O1: 2}
    assert t.deployed() == second
