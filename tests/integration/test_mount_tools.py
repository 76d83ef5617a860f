"""Real programs on the mount: find, stat, cat, wc, cp -r, grep -r, ls -l, and watch-style
repeated reads (design.md §2: exact st_size, per-open snapshots, mtime that moves only when
the content changes)."""
import os
import re
import stat

from mountlib import for_each, parse_kv, read_bytes, run
from mountlib import ro_layout, ro_mnt, ro_sim  # noqa: F401  (fixtures)

# Files whose content changes while they are being looked at: the mount's own counters
# and its log. They are checked with fstat on the reading descriptor instead.
VOLATILE = (os.path.join(".c7nfs", "status"), os.path.join(".c7nfs", "log"))


def all_files(mnt):
    """Every regular file under the mount, as `find -type f` lists it."""
    out = run("find", mnt.path, "-type", "f").stdout.decode().split("\n")
    return sorted(f for f in out if f)


def stat_sizes(paths):
    """{path: size} from one `stat -c '%s %n'` run."""
    out = run("stat", "-c", "%s %n", *paths).stdout.decode()
    sizes = {}
    for line in out.split("\n"):
        if line:
            size, name = line.split(" ", 1)
            sizes[name] = int(size)
    return sizes


def test_find_lists_every_file_of_every_instance(ro_mnt, ro_layout):
    files = set(all_files(ro_mnt))
    for inst in ro_layout.instances:
        for name in ("status", "status.json", "values.yaml", "control", "versions",
                     "last_error", "events.log", "resources/pods", "resources/pvcs"):
            assert ro_mnt.p(*inst.parts, name) in files, (inst, name)
    for env_parts in ro_layout.env_parts.values():
        assert ro_mnt.p(*env_parts, "env") in files
        assert ro_mnt.p(*env_parts, "instances") in files


def test_stat_size_equals_bytes_cat_returns(ro_mnt):
    files = [f for f in all_files(ro_mnt)
             if os.path.relpath(f, ro_mnt.path) not in VOLATILE]
    assert len(files) > 50, files
    sizes = stat_sizes(files)

    def check(path):
        data = run("cat", path).stdout
        assert sizes[path] == len(data), "stat says %d, cat returns %d bytes" % (
            sizes[path], len(data))
        wc = run("sh", "-c", 'cat "$1" | wc -c', "sh", path).stdout.decode().strip()
        assert int(wc) == len(data)
    for_each(files, check)


def test_fstat_of_every_open_file_is_its_content(ro_mnt):
    def check(path):
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            data = f.read()
        assert size == len(data), "fstat says %d, read returns %d bytes" % (size, len(data))
    for_each(all_files(ro_mnt), check)


def test_generated_files_are_never_empty_or_page_sized(ro_mnt, ro_layout):
    inst = ro_layout.instances[0]
    for name in ("status", "status.json", "values.yaml", "control", "versions"):
        size = os.stat(ro_mnt.p(*inst.parts, name)).st_size
        assert size > 0 and size == len(read_bytes(ro_mnt.p(*inst.parts, name))), (name, size)


def test_cp_r_of_an_instance_gives_identical_bytes(ro_mnt, ro_layout, tmp_path):
    def check(inst):
        dst = tmp_path / inst.code
        run("cp", "-r", ro_mnt.p(*inst.parts), str(dst))
        src_files = sorted(os.path.relpath(f, ro_mnt.p(*inst.parts))
                           for f in all_files(ro_mnt) if f.startswith(ro_mnt.p(*inst.parts) + "/"))
        copied = sorted(os.path.relpath(os.path.join(d, f), dst)
                        for d, _, fs in os.walk(dst) for f in fs)
        assert copied == src_files
        for rel in src_files:
            assert (dst / rel).read_bytes() == read_bytes(ro_mnt.p(*inst.parts, rel)), rel
    for_each(ro_layout.instances, check)


def test_grep_r_state_lists_every_instance(ro_mnt, ro_layout):
    r = run("grep", "-r", "^state:", ro_mnt.path, check=False)
    assert r.returncode == 0, r.stderr
    hits = {}
    for line in r.stdout.decode().split("\n"):
        if line:
            path, _, rest = line.partition(":")
            hits[path] = rest
    expect = {ro_mnt.p(*i.parts, "status") for i in ro_layout.instances}
    assert expect <= set(hits), sorted(expect - set(hits))
    for inst in ro_layout.instances:
        assert re.match(r"^state: \S+ \(", hits[ro_mnt.p(*inst.parts, "status")])


def test_find_name_status_finds_every_instance(ro_mnt, ro_layout):
    out = run("find", ro_mnt.path, "-name", "status").stdout.decode().split("\n")
    found = {f for f in out if f}
    expect = {ro_mnt.p(*i.parts, "status") for i in ro_layout.instances}
    assert found == expect | {ro_mnt.p(".c7nfs", "status")}


def test_ls_l_shows_exact_sizes_and_modes(ro_mnt, ro_layout):
    inst = ro_layout.instances[0]
    out = run("ls", "-l", "--time-style=+%s", ro_mnt.p(*inst.parts)).stdout.decode()
    rows = {}
    for line in out.split("\n")[1:]:
        if line:
            f = line.split()
            rows[f[-1]] = (f[0], int(f[4]))
    for name in ("status", "status.json", "values.yaml", "control", "versions", "last_error",
                 "events.log"):
        mode, size = rows[name]
        assert mode.startswith("-"), (name, mode)
        assert size == len(read_bytes(ro_mnt.p(*inst.parts, name))), (name, size)
    for name in ("resources", "deployments", "events"):
        assert rows[name][0].startswith("d"), (name, rows[name])


def test_read_only_files_refuse_writing(ro_mnt, ro_layout):
    inst = ro_layout.instances[0]
    for name in ("status", "status.json", "versions", "last_error", "events.log",
                 os.path.join("resources", "pods")):
        st = os.stat(ro_mnt.p(*inst.parts, name))
        assert not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), (name, oct(st.st_mode))
        try:
            open(ro_mnt.p(*inst.parts, name), "ab").close()
        except PermissionError:
            continue
        raise AssertionError("%s opened for writing" % name)


def test_watch_style_repeated_reads_are_stable(ro_mnt, ro_layout):
    """watch cat: the same answer, the same size, the same mtime, read after read."""
    inst = ro_layout.instances[0]
    env_table = ro_mnt.p(*ro_layout.env_parts[inst.e], "instances")
    status = ro_mnt.p(*inst.parts, "status")
    first = {p: (read_bytes(p), os.stat(p).st_mtime_ns) for p in (env_table, status)}
    for _ in range(20):
        for p, (data, mtime) in first.items():
            assert run("cat", p).stdout == data
            st = os.stat(p)
            assert (st.st_size, st.st_mtime_ns) == (len(data), mtime), p


def test_tail_and_head_read_like_regular_files(ro_mnt, ro_layout):
    inst = ro_layout.instances[0]
    path = ro_mnt.p(*inst.parts, "status")
    data = read_bytes(path)
    assert run("tail", "-c", "20", path).stdout == data[-20:]
    assert run("head", "-n", "2", path).stdout == b"".join(data.splitlines(True)[:2])
    kv = dict(parse_kv(data.decode()))
    assert kv["instance"] == inst.code
