"""Editors saving values.yaml with their default settings (design.md §3, fuse-notes.md §2):
vim in ex mode (default, backupcopy=yes, nobackup nowritebackup), nano driven in tmux and
emacs --batch. Each save must reach the server as exactly one update carrying exactly the
edited text; an invalid text must be refused at the editor's own save, with nothing sent
and the text kept in values.yaml.rejected.

The mounts live under /var/tmp (edit_mount_factory): under /tmp vim and emacs would skip
their backup step, which is the part of their save sequence that tests the mount most."""
import errno
import itertools
import os
import subprocess

import pytest

from conftest import wait_until
from mountlib import MANAGED, replaced_once, run
from mountlib import edit_mount_factory, edit_target, sim0  # noqa: F401  (fixtures)

OLD_LINE = "replicaCount: 1\n"

# ------------------------------------------------------------------ vim

VIM = ("vim", "-u", "DEFAULTS", "-i", "NONE", "-es", "-V1")
VIM_SETTINGS = {
    "default": (),
    "backupcopy=yes": ("-c", "set backupcopy=yes"),
    "nobackup nowritebackup": ("-c", "set nobackup nowritebackup"),
}


def vim_substitute(t, setting, value):
    """vim -es: one substitution and :wq. Returns (result, the text vim writes)."""
    new = replaced_once(t.deployed(), OLD_LINE, "replicaCount: %s\n" % value)
    cmd = VIM + VIM_SETTINGS[setting] + (
        "-c", "%%s/^replicaCount: 1$/replicaCount: %s/" % value, "-c", "wq", "values.yaml")
    # stdin: after a failed :wq vim stays in Ex mode and reads commands until EOF.
    r = run(*cmd, cwd=t.dir, stdin=subprocess.DEVNULL, check=False)
    return r, new


@pytest.mark.parametrize("setting", list(VIM_SETTINGS))
def test_vim_ex_mode_saves_once(edit_target, setting):
    t = edit_target
    before = t.stats()
    r, new = vim_substitute(t, setting, "2")
    assert r.returncode == 0, r.stdout + r.stderr
    t.check_saved(before, new)


@pytest.mark.parametrize("setting", list(VIM_SETTINGS))
def test_vim_ex_mode_invalid_yaml_is_refused(edit_target, setting):
    """After the failed close vim puts the old text back: by renaming values.yaml~ onto
    values.yaml (default), or by copying values.yaml~ into it and keeping values.yaml~
    (backupcopy=yes), as on any filesystem. That rewrite equals the deployed text, so
    it sends nothing either."""
    t = edit_target
    old = t.deployed()
    before = t.stats()
    r, bad = vim_substitute(t, setting, "[2")
    out = (r.stdout + r.stderr).decode("utf-8", "replace")
    assert r.returncode != 0, out
    assert "E512: Close failed" in out, out
    summary = t.check_rejected(before, old, bad, errno.EINVAL)
    t.check_yaml_error(summary, bad)
    kept = ("values.yaml~",) if setting == "backupcopy=yes" else ()
    assert t.listing() == sorted(MANAGED + ("values.yaml.rejected",) + kept)
    for name in kept:
        assert t.read(name) == old
    t.check_good_save_clears_rejected()


# ------------------------------------------------------------------ nano in tmux

_sessions = itertools.count()


class Tmux:
    """A detached tmux server of its own (-L SOCKET) running one program."""

    def __init__(self, cwd, *cmd):
        self.sock = "c7nfs-edit-%d-%d" % (os.getpid(), next(_sessions))
        self.env = dict(os.environ, TERM="xterm")
        self.tmux("new-session", "-d", "-x", "150", "-y", "50", "-c", cwd, *cmd)

    def tmux(self, *args, check=True):
        return subprocess.run(("tmux", "-L", self.sock, "-f", "/dev/null") + args,
                              capture_output=True, text=True, env=self.env, timeout=30,
                              check=check)

    def screen(self):
        r = self.tmux("capture-pane", "-p", check=False)
        return r.stdout if r.returncode == 0 else ""

    def keys(self, *keys, literal=False):
        self.tmux("send-keys", *(("-l",) if literal else ()), *keys)

    def wait_screen(self, text, timeout=15):
        return wait_until(lambda: text in self.screen(), timeout=timeout,
                          what="%r on the screen:\n%s" % (text, self.screen()))

    def running(self):
        return self.tmux("has-session", check=False).returncode == 0

    def close(self):
        self.tmux("kill-server", check=False)


def nano_insert_line(t, line):
    """nano values.yaml: types line at the top, ^O Enter to write, ^X to leave (answering
    No to "Save modified buffer?" when the write failed). Returns (the status line after
    the write, the text nano writes)."""
    new = line + "\n" + t.deployed()
    term = Tmux(t.dir, "nano", "values.yaml")
    try:
        term.wait_screen("# Default values for demo-api.")
        term.keys(line, literal=True)
        term.keys("Enter")
        term.keys("C-o")
        term.wait_screen("File Name to Write")
        term.keys("Enter")
        wait_until(lambda: "Wrote " in term.screen() or "Error writing" in term.screen(),
                   timeout=15, what="nano's write to end:\n" + term.screen())
        status = term.screen()
        term.keys("C-x")
        if "Error writing" in status:
            term.wait_screen("Save modified buffer?")
            term.keys("n")
        wait_until(lambda: not term.running(), timeout=15, what="nano to exit")
    finally:
        term.close()
    return status, new


def test_nano_saves_once(edit_target):
    t = edit_target
    before = t.stats()
    status, new = nano_insert_line(t, "nanoEdit: 1")
    assert "Wrote %d lines" % new.count("\n") in status, status
    t.check_saved(before, new)


def test_nano_invalid_yaml_is_refused(edit_target):
    t = edit_target
    old = t.deployed()
    before = t.stats()
    status, bad = nano_insert_line(t, "nanoEdit: [1")
    assert "Error writing" in status and "Invalid argument" in status, status
    summary = t.check_rejected(before, old, bad, errno.EINVAL)
    t.check_yaml_error(summary, bad)
    assert t.listing() == sorted(MANAGED + ("values.yaml.rejected",))
    t.check_good_save_clears_rejected()


# ------------------------------------------------------------------ emacs --batch

EMACS_EDIT = ('(progn (find-file "values.yaml") (goto-char (point-min)) (insert "%s\\n") '
              '(save-buffer))')


def emacs_insert_line(t, line):
    new = line + "\n" + t.deployed()
    r = run("emacs", "-Q", "--batch", "--eval", EMACS_EDIT % line, cwd=t.dir,
            stdin=subprocess.DEVNULL, check=False)
    return r, new


def test_emacs_saves_once_and_keeps_its_backup(edit_target):
    """Emacs renames values.yaml to values.yaml~ and writes a new values.yaml; the mount
    keeps values.yaml and makes values.yaml~ a scratch copy of the old text, which emacs
    leaves behind as it always does. The lock symlink .#values.yaml is gone."""
    t = edit_target
    old = t.deployed()
    before = t.stats()
    r, new = emacs_insert_line(t, "emacsEdit: 1")
    assert r.returncode == 0, r.stderr
    assert t.read("values.yaml~") == old
    t.check_saved(before, new, keep=("values.yaml~",))


def test_emacs_invalid_yaml_is_refused(edit_target):
    t = edit_target
    old = t.deployed()
    before = t.stats()
    r, bad = emacs_insert_line(t, "emacsEdit: [1")
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode != 0, err
    assert "Invalid argument" in err, err
    summary = t.check_rejected(before, old, bad, errno.EINVAL)
    t.check_yaml_error(summary, bad)
    # Emacs 28 does not put its backup back after a failed write (on any
    # filesystem): values.yaml~ stays, holding the deployed text.
    assert t.listing() == sorted(MANAGED + ("values.yaml.rejected", "values.yaml~"))
    assert t.read("values.yaml~") == old
    t.check_good_save_clears_rejected()
