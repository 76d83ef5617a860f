#!/usr/bin/python3
"""Read benchmarks of c7nfs against the emulator's generated organization.

    /usr/bin/python3 tests/bench/bench_read.py [--build DIR] [--quick]
                                               [--latency-ms N] [--runs N]

Starts c7n-devops-sim with --generate (1,20,50: one project, 20 environments of 50
instances; --quick: 1,4,8), injects a fixed latency per request (a realistic server), and
runs real programs on fresh c7nfs mounts: ls -l, grep -r, cat, find and a 20-thread
Python reader. Each workload runs on c7nfs with its default settings and, in the same run,
on the baselines:

  c7nfs ttl=0   the same daemon with every cache TTL at 0: each answer serves only the
                operation that asked for it, but concurrent identical requests are still
                coalesced into one.
  naive HTTP    what a script without c7nfs does for "the status of every instance": list
                the instances, then one GET (I3) per instance over one keep-alive
                connection.

For every run the emulator's /_sim/stats gives the exact requests per path template;
wall time and CPU time (the c7nfs daemon's, and the client programs') are the median of
--runs runs (fewer when a workload's runs already took the repetition budget; the table
says how many). A baseline run that exceeds its time box (10 s, --quick 5 s) is stopped and
marked '>'; its request count is then a lower bound ('>='). docs/benchmarks.md explains the
workloads and the figures.
"""
import argparse
import http.client
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

FULL = {"generate": "1,20,50", "baseline_timeout": 10.0, "rep_budget": 12.0}
QUICK = {"generate": "1,4,8", "baseline_timeout": 5.0, "rep_budget": 4.0}
# No c7nfs run with default settings should come near this; it only keeps a hang bounded.
DEFAULT_TIMEOUT = 120.0
READERS = 20
READER_ROUNDS = 10
TTL0 = ("ttl_status_ms=0", "ttl_list_ms=0", "ttl_static_ms=0")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build", help="build directory (default: build)")
    ap.add_argument("--quick", action="store_true", help="small organization, under 40 s")
    ap.add_argument("--latency-ms", type=int, default=5, help="injected latency per request")
    ap.add_argument("--runs", type=int, default=3, help="runs per workload (median)")
    return ap.parse_args()


def load_fixtures(build):
    """The test fixtures (Sim, Mount, Layout) bound to the binaries of `build`."""
    os.environ["C7NFS_BUILD"] = os.path.abspath(os.path.join(ROOT, build))
    sys.path[:0] = [os.path.join(ROOT, "tests"), os.path.join(ROOT, "tests", "integration")]
    import conftest
    import mountlib
    for binary in (conftest.SIM_BIN, conftest.C7NFS_BIN):
        if not os.access(binary, os.X_OK):
            sys.exit("bench_read: %s is missing; build with `meson compile -C %s`"
                     % (binary, build))
    return conftest, mountlib


# ------------------------------------------------------------------ request accounting

def template_codes(ml):
    """Path template -> the key choerodon-api.md §1 gives it (A4, I1, ...)."""
    return {getattr(ml, name): name[2:] for name in dir(ml) if name.startswith("T_")}


def summarize(delta, codes):
    """'A4 1, E1 1, I1 20' in the order of choerodon-api.md's table."""
    order = "AEIVRO"
    items = sorted(delta.items(),
                   key=lambda kv: (order.find(codes.get(kv[0], "?")[0]),
                                   int(re.sub(r"\D", "", codes.get(kv[0], "9")) or 9), kv[0]))
    return ", ".join("%s %d" % (codes.get(t, t), n) for t, n in items)


def daemon_cpu_ms(pid):
    """user+system CPU of a process and all its threads, in ms (clock-tick resolution)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")


def children_cpu_ms():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (ru.ru_utime + ru.ru_stime) * 1000.0


def mount_counter(mnt, key):
    """A counter of MOUNT/.c7nfs/status (reading it costs no request)."""
    for line in mnt.read(".c7nfs", "status").split("\n"):
        if line.startswith(key + ": "):
            return int(line.split(": ", 1)[1])
    raise KeyError(key)


class Sample:
    """What one run measured."""

    def __init__(self, wall, fs_cpu, client_cpu, delta, coalesced, stopped, note):
        self.wall = wall
        self.fs_cpu = fs_cpu
        self.client_cpu = client_cpu
        self.delta = delta
        self.coalesced = coalesced
        self.stopped = stopped
        self.note = note

    @property
    def requests(self):
        return sum(self.delta.values())


# ------------------------------------------------------------------ programs

def run_program(argv, timeout):
    """Runs argv in its own process group; on timeout kills that group.
    Returns (stdout text, stopped)."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return out.decode("utf-8", "replace"), True
    if proc.returncode:
        raise RuntimeError("%s exited %d: %s" % (argv[0], proc.returncode,
                                                 err.decode("utf-8", "replace")[-500:]))
    return out.decode("utf-8", "replace"), False


def count_lines(text, prefix):
    return sum(line.startswith(prefix) for line in text.split("\n"))


def expect(what, got, want):
    if got != want:
        raise AssertionError("%s: got %r, expected %r" % (what, got, want))


# ------------------------------------------------------------------ workloads

class Workload:
    """A read workload on a mount. run() returns (note, stopped) and checks the output
    of complete runs exactly, so a figure never comes from a broken run."""
    name = ""
    warm = False      # runs once untimed first, on the same mount, to fill the cache

    def __init__(self, org):
        self.org = org

    def run(self, mnt, timeout):
        raise NotImplementedError


class LsEnvs(Workload):
    @property
    def name(self):
        return "ls -l every environment (%d dirs)" % len(self.org.env_dirs)

    def run(self, mnt, timeout):
        out, stopped = run_program(["ls", "-l"] + [mnt.p(*d) for d in self.org.env_dirs],
                                   timeout)
        if not stopped:
            expect("instance directories listed", count_lines(out, "d"), self.org.n)
            expect("env and instances files listed", count_lines(out, "-"),
                   2 * len(self.org.env_dirs))
        return "", stopped


class GrepState(Workload):
    name = "grep -r '^state:' PROJECT (every file)"

    def run(self, mnt, timeout):
        out, stopped = run_program(["grep", "-r", "^state:", mnt.p(self.org.project_dir)],
                                   timeout)
        done = len(re.findall(r"/status:state: ", out))
        if stopped:
            return "%d/%d statuses seen" % (done, self.org.n), True
        expect("status files matched", done, self.org.n)
        return "", False


class CatStatus(Workload):
    def __init__(self, org, warm):
        super().__init__(org)
        self.warm = warm

    @property
    def name(self):
        return "cat every status (%d files%s)" % (self.org.n, ", warm" if self.warm else "")

    def run(self, mnt, timeout):
        out, stopped = run_program(["cat"] + [mnt.p(*s) for s in self.org.status_files],
                                   timeout)
        done = count_lines(out, "state: ")
        if stopped:
            return "%d/%d files read" % (done, self.org.n), True
        expect("statuses read", done, self.org.n)
        return "", False


class FindStatus(Workload):
    name = "find MNT -name status | wc -l"

    def run(self, mnt, timeout):
        out, stopped = run_program(["sh", "-c", 'find "$1" -name status | wc -l', "sh",
                                    mnt.path], timeout)
        if not stopped:
            # every instance's status, and .c7nfs/status
            expect("status files found", int(out.strip()), self.org.n + 1)
        return "", stopped


class ParallelReaders(Workload):
    name = "%d threads x %d reads of one status" % (READERS, READER_ROUNDS)

    def run(self, mnt, timeout):
        path = mnt.p(*self.org.status_files[0])
        start = threading.Barrier(READERS)
        deadline = time.monotonic() + timeout
        texts, errors = [], []

        def reader():
            try:
                start.wait()
                for _ in range(READER_ROUNDS):
                    if time.monotonic() > deadline:
                        return
                    with open(path, "rb") as f:
                        texts.append(f.read())
            except OSError as e:
                errors.append(e)

        threads = [threading.Thread(target=reader) for _ in range(READERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        if len(texts) < READERS * READER_ROUNDS:
            return "%d/%d reads" % (len(texts), READERS * READER_ROUNDS), True
        expect("distinct renderings", len(set(texts)), 1)
        expect("state lines", count_lines(texts[0].decode(), "state: "), 1)
        return "", False


# ------------------------------------------------------------------ configurations

class Org:
    """The generated organization as paths below the mount point (from the API, before
    any measurement)."""

    def __init__(self, ml, sim):
        lay = ml.Layout(ml.Api(sim))
        expect("projects", len(lay.projects), 1)
        self.env_dirs = [lay.env_parts[env["id"]] for _, env in lay.all_envs()]
        self.project_dir = self.env_dirs[0][0]
        self.status_files = [inst.parts + ("status",) for inst in lay.instances]
        self.n = len(lay.instances)


class C7nfs:
    """c7nfs with the given -o options; every run gets a fresh mount (cold kernel and
    daemon caches)."""

    def __init__(self, label, ml, sim, options, timeout):
        self.label = label
        self.ml = ml
        self.sim = sim
        self.options = options
        self.timeout = timeout

    def sample(self, workload):
        mnt = self.ml.Mount(self.sim, options=self.options)
        try:
            if workload.warm:
                workload.run(mnt, DEFAULT_TIMEOUT)
            return self._measure(mnt, workload)
        finally:
            mnt.unmount()

    def _measure(self, mnt, workload):
        pid = mnt.proc.pid
        before, co0 = self.sim.stats(), mount_counter(mnt, "cache_coalesced")
        fs0, cl0, pt0 = daemon_cpu_ms(pid), children_cpu_ms(), time.process_time()
        t0 = time.monotonic()
        note, stopped = workload.run(mnt, self.timeout)
        wall = time.monotonic() - t0
        client = children_cpu_ms() - cl0 + (time.process_time() - pt0) * 1000.0
        fs = daemon_cpu_ms(pid) - fs0
        delta = self.ml.stats_delta(before, self.sim.stats())
        coalesced = mount_counter(mnt, "cache_coalesced") - co0
        return Sample(wall, fs, client, delta, coalesced, stopped, note)


class NaiveHttp:
    """A script without c7nfs: A2, A4 and E2 to list the instances, then one I3 per
    instance, over one keep-alive HTTP/1.1 connection."""
    label = "naive HTTP (I3 each)"

    def __init__(self, ml, sim, token):
        self.ml = ml
        self.sim = sim
        self.netloc = urllib.parse.urlsplit(sim.url).netloc
        self.headers = {"Authorization": "bearer " + token, "Accept": "application/json"}

    def _get(self, conn, path):
        conn.request("GET", path, headers=self.headers)
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            raise RuntimeError("GET %s: HTTP %d" % (path, r.status))
        return json.loads(body)

    def statuses(self):
        q = urllib.parse.quote
        conn = http.client.HTTPConnection(self.netloc, timeout=30)
        try:
            me = self._get(conn, "/iam/choerodon/v1/users/self")
            out = []
            projects = "/iam/choerodon/v1/users/%s/projects" % q(str(me["id"]))
            for pr in self._get(conn, projects):
                base = "/devops/v1/projects/%s" % q(str(pr["id"]))
                for env in self._get(conn, base + "/envs/resource_tree_menu"):
                    for inst in env["instances"]:
                        out.append(self._get(conn, "%s/app_service_instances/%s"
                                             % (base, q(str(inst["id"])))))
            return out
        finally:
            conn.close()

    def sample(self, workload):
        before = self.sim.stats()
        pt0, t0 = time.process_time(), time.monotonic()
        got = self.statuses()
        wall = time.monotonic() - t0
        client = (time.process_time() - pt0) * 1000.0
        expect("instance statuses fetched", len(got), workload.org.n)
        delta = self.ml.stats_delta(before, self.sim.stats())
        return Sample(wall, None, client, delta, None, False, "")


# ------------------------------------------------------------------ running and printing

def measure(config, workload, runs, budget):
    """Up to `runs` samples; stops repeating once the workload has used `budget` seconds
    or a run was stopped by its time box."""
    samples, used = [], 0.0
    while len(samples) < runs:
        s = config.sample(workload)
        samples.append(s)
        used += s.wall
        print("  %-38s %-22s run %d: %.2f s, %d requests%s" % (
            workload.name, config.label, len(samples), s.wall, s.requests,
            " (stopped)" if s.stopped else ""), file=sys.stderr, flush=True)
        if s.stopped or used > budget:
            break
    return samples


def median_sample(samples):
    """The sample whose requests are printed: the one of median wall time, or the run
    stopped by its time box (then the row is a lower bound)."""
    stopped = [s for s in samples if s.stopped]
    if stopped:
        return stopped[0]
    ordered = sorted(samples, key=lambda s: s.wall)
    return ordered[(len(ordered) - 1) // 2]


def fmt_ms(values):
    values = [v for v in values if v is not None]
    return "%.0f" % statistics.median(values) if values else "-"


def row(workload, config, samples, codes):
    m = median_sample(samples)
    totals = sorted({s.requests for s in samples})
    req = ("%d" % m.requests) if len(totals) == 1 else "%d (%d..%d)" % (
        m.requests, totals[0], totals[-1])
    return {
        "workload": workload.name, "config": config.label, "n": str(len(samples)),
        "wall": "> %.1f s" % m.wall if m.stopped else "%.2f s" % statistics.median(
            s.wall for s in samples),
        "fs_cpu": fmt_ms(s.fs_cpu for s in samples),
        "client_cpu": fmt_ms(s.client_cpu for s in samples),
        "requests": (">= " if m.stopped else "") + req,
        "coalesced": "-" if m.coalesced is None else str(m.coalesced),
        "templates": summarize(m.delta, codes) + ("  [%s]" % m.note if m.note else ""),
    }


COLUMNS = (("workload", "workload"), ("config", "config"), ("n", "n"),
           ("wall", "wall (median)"), ("fs_cpu", "c7nfs cpu ms"),
           ("client_cpu", "client cpu ms"), ("requests", "requests"),
           ("coalesced", "coalesced"), ("templates", "requests per template"))


LEGEND = ("templates (choerodon-api.md §1): A2 user, A4 projects, E1+E2 environments, "
          "I1 instance list of an environment,\n  I3 one instance, I4 its resources, "
          "I5/I6 a deployment's detail as JSON/YAML, I8 its events, V1 its values,\n  "
          "R1 versions of an app service")


def print_table(rows):
    widths = {k: max(len(h), *(len(r[k]) for r in rows)) for k, h in COLUMNS}

    def line(cells):
        return "  ".join(c.ljust(widths[k]) for (k, _), c in zip(COLUMNS, cells))

    print(line([h for _, h in COLUMNS]).rstrip())
    print(line(["-" * widths[k] for k, _ in COLUMNS]).rstrip())
    last = None
    for r in rows:
        cells = [r[k] for k, _ in COLUMNS]
        if r["workload"] == last:
            cells[0] = ""
        last = r["workload"]
        print(line(cells).rstrip())


def per_instance_notes(rows_by_key, org, codes):
    """Templates a default-settings workload asked at least once per instance."""
    notes = []
    for (wname, label), samples in rows_by_key.items():
        if label != "c7nfs":
            continue
        m = median_sample(samples)
        heavy = {codes.get(t, t): n for t, n in m.delta.items() if n >= org.n // 2}
        if heavy:
            notes.append("  %s: %s" % (wname, ", ".join(
                "%s %d" % kv for kv in sorted(heavy.items()))))
    return notes


def git(*argv):
    r = subprocess.run(["git", "-C", ROOT] + list(argv), capture_output=True, text=True)
    return r.stdout.strip()


def git_revision(binary):
    """The revision of the working tree, taken before any measurement, and the changed
    tracked files (outside tests/ and docs/) newer than `binary`: the measured daemon
    does not have those changes. '-dirty' alone does not say what was built."""
    rev = git("describe", "--always", "--dirty") or "unknown"
    built = os.stat(binary).st_mtime
    newer = [f for f in git("diff", "--name-only", "HEAD").split("\n")
             if f and not f.startswith(("tests/", "docs/"))
             and os.path.exists(os.path.join(ROOT, f))
             and os.stat(os.path.join(ROOT, f)).st_mtime > built]
    return rev, newer


def main():
    args = parse_args()
    scale = QUICK if args.quick else FULL
    conftest, ml = load_fixtures(args.build)
    codes = template_codes(ml)
    t_start = time.monotonic()
    revision, newer = git_revision(conftest.C7NFS_BIN)
    sim = conftest.Sim(["--generate", scale["generate"]], transition_ms=ml.HOLD_MS)
    try:
        org = Org(ml, sim)
        sim.faults(latency_ms=args.latency_ms)
        default = C7nfs("c7nfs", ml, sim, (), DEFAULT_TIMEOUT)
        ttl0 = C7nfs("c7nfs ttl=0", ml, sim, TTL0, scale["baseline_timeout"])
        naive = NaiveHttp(ml, sim, conftest.TOKENS["admin"])
        plan = [(LsEnvs(org), (default, ttl0)),
                (CatStatus(org, warm=False), (default, ttl0, naive)),
                (CatStatus(org, warm=True), (default,)),
                (ParallelReaders(org), (default, ttl0)),
                (GrepState(org), (default, ttl0)),
                (FindStatus(org), (default, ttl0))]
        results = {}
        for workload, configs in plan:
            for config in configs:
                results[(workload.name, config.label)] = (
                    workload, config, measure(config, workload, args.runs, scale["rep_budget"]))
    finally:
        sim.stop()
    print("c7nfs read benchmark: %s, --generate %s (%d instances in %d environments), "
          "%d ms latency per request, %d CPUs, %.0f s total"
          % (revision, scale["generate"], org.n, len(org.env_dirs), args.latency_ms,
             os.cpu_count(), time.monotonic() - t_start))
    if newer:
        print("the c7nfs binary predates these working-tree changes: %s" % ", ".join(newer))
    _, newer_now = git_revision(conftest.C7NFS_BIN)
    if newer_now != newer:
        print("changed in the working tree during the run (not measured): %s"
              % ", ".join(f for f in newer_now if f not in newer))
    print("baseline time box: %.0f s per run; wall and cpu: median of n runs, each on a "
          "fresh mount\n" % scale["baseline_timeout"])
    print_table([row(w, c, s, codes) for w, c, s in results.values()])
    print("\n" + LEGEND)
    notes = per_instance_notes({k: v[2] for k, v in results.items()}, org, codes)
    print("\nc7nfs (default settings) asked these once or more per instance:")
    print("\n".join(notes) if notes else "  nothing")


if __name__ == "__main__":
    main()
