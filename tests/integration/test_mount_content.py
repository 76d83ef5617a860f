"""Every file of the layout (design.md §1), for every instance of the demo data, has the
content the emulator's JSON implies for the same user: the tests read the files through
the mount and compare them field by field with the answers of E1, I1, I4, I5, I6, I8, V1
and R1 (choerodon-api.md §1).

One mount and one emulator serve the whole module: the emulator's operations never
complete on their own and the mount's TTLs outlast the module, so both sides stay put.
"""
import json
import os
import re
import stat

from mountlib import (DEPLOYMENT_FILES, INSTANCE_DIRS, INSTANCE_FILES, META_FILES,
                      RESOURCE_KINDS, CELL_RE, age_ok, allowed_verbs, cell, check_state_label,
                      for_each, kv_dict, may_deploy, one_line, parse_kv, parse_table,
                      read_bytes, sanitize, state_zh, STATE_ZH)
from mountlib import ro_layout, ro_mnt, ro_sim  # noqa: F401  (fixtures)

STATUS_KEYS = ("instance", "app", "environment", "version", "latest_version",
               "upgrade_available", "state", "status", "operation", "pods", "allowed", "error",
               "updated")


def yes_no(b):
    return "yes" if b else "no"


def lines_of(text):
    """Every non-blank line as its list of cells (runs separated by 3+ spaces)."""
    return [CELL_RE.findall(line) for line in text.split("\n") if line.strip()]


# ---------------------------------------------------------------- directories

def test_root_lists_projects_and_meta(ro_mnt, ro_layout):
    expect = [".c7nfs"] + [sanitize(pr["code"]) for pr in ro_layout.projects]
    assert sorted(os.listdir(ro_mnt.path)) == sorted(expect)


def test_meta_dir(ro_mnt, ro_sim):
    assert sorted(os.listdir(ro_mnt.p(".c7nfs"))) == sorted(META_FILES)
    status = ro_mnt.read(".c7nfs", "status")
    kv = dict(parse_kv(status))
    assert kv.get("server") == ro_sim.url, status
    assert kv.get("user") == "admin", status
    assert re.search(r"^[a-z_]+: online$", status, re.M), "says online: %r" % status
    assert "offline" not in status, status
    ctl = os.stat(ro_mnt.p(".c7nfs", "ctl"))
    assert stat.S_ISREG(ctl.st_mode) and ctl.st_mode & stat.S_IWUSR, oct(ctl.st_mode)
    assert ro_mnt.read(".c7nfs", "log").endswith("\n")


def test_projects_list_the_visible_envs(ro_mnt, ro_layout):
    for pr in ro_layout.projects:
        expect = [ro_layout.env_parts[e["id"]][-1] for e in ro_layout.envs[pr["id"]]]
        assert expect, "project %s shows environments" % pr["code"]
        assert sorted(os.listdir(ro_mnt.p(sanitize(pr["code"])))) == sorted(expect)


def test_env_dirs_list_env_instances_and_every_instance(ro_mnt, ro_layout):
    def check(pe):
        pr, env = pe
        expect = ["env", "instances"] + [i.parts[-1] for i in ro_layout.in_env(env)]
        assert sorted(os.listdir(ro_mnt.p(*ro_layout.env_parts[env["id"]]))) == sorted(expect)
    for_each(ro_layout.all_envs(), check)


def test_instance_dirs(ro_mnt, ro_layout):
    def check(inst):
        assert sorted(os.listdir(ro_mnt.p(*inst.parts))) == \
            sorted(INSTANCE_FILES + INSTANCE_DIRS)
        assert sorted(os.listdir(ro_mnt.p(*inst.parts, "resources"))) == sorted(RESOURCE_KINDS)
        for name in INSTANCE_FILES:
            assert stat.S_ISREG(os.stat(ro_mnt.p(*inst.parts, name)).st_mode), name
        for name in INSTANCE_DIRS:
            assert stat.S_ISDIR(os.stat(ro_mnt.p(*inst.parts, name)).st_mode), name
    for_each(ro_layout.instances, check)


def test_unknown_names_are_enoent(ro_mnt, ro_layout):
    inst = ro_layout.instances[0]
    for parts in [("no-such-project",), ro_layout.env_parts[inst.e] + ("no-such-instance",),
                  inst.parts + ("no-such-file",), inst.parts + ("resources", "secrets"),
                  inst.parts + ("deployments", "no-such-deployment"),
                  inst.parts + ("events", "9999-update")]:
        try:
            os.stat(ro_mnt.p(*parts))
        except FileNotFoundError:
            continue
        raise AssertionError("%s exists" % "/".join(parts))


# ---------------------------------------------------------------- environments

def test_env_file_matches_e1(ro_mnt, ro_layout):
    def check(pe):
        pr, env = pe
        kv = kv_dict(ro_mnt.read(*ro_layout.env_parts[env["id"]], "env"))
        assert kv.get("code") == env["code"], kv
        assert kv.get("name") == one_line(env["name"]), kv
        assert kv.get("cluster") == one_line(env["clusterName"]), kv
        assert kv.get("connected") == yes_no(env["connect"]), kv
        assert kv.get("synchronized") == yes_no(env["synchro"]), kv
        deploy = kv.get("may_deploy", kv.get("may-deploy"))
        assert deploy == yes_no(may_deploy(env)), kv
        if "description" in kv:
            assert kv["description"] == one_line(env.get("description")), kv
    for_each(ro_layout.all_envs(), check)


def test_disconnected_env_reads_connected_no(ro_mnt, ro_layout):
    down = [(pr, env) for pr, env in ro_layout.all_envs() if not env["connect"]]
    assert down, "the demo data has a disconnected environment"
    for pr, env in down:
        kv = kv_dict(ro_mnt.read(*ro_layout.env_parts[env["id"]], "env"))
        assert kv["connected"] == "no", kv
        for inst in ro_layout.in_env(env):
            status = kv_dict(ro_mnt.read(*inst.parts, "status"))
            assert status["allowed"] == "", "nothing is allowed while disconnected: %r" % status


def test_instances_table_matches_i1(ro_mnt, ro_layout):
    def check(pe):
        pr, env = pe
        header, rows = parse_table(ro_mnt.read(*ro_layout.env_parts[env["id"]], "instances"))
        assert header == ["INSTANCE", "APP", "VERSION", "STATE", "PODS"], header
        expect = [{"INSTANCE": i.code, "APP": cell(i.item["appServiceName"]),
                   "VERSION": cell(i.item["versionName"]), "STATE": state_zh(i.item),
                   "PODS": "%d/%d" % (i.item["podRunningCount"], i.item["podCount"])}
                  for i in ro_layout.in_env(env)]
        key = lambda r: r["INSTANCE"]  # noqa: E731
        assert sorted(rows, key=key) == sorted(expect, key=key)
    for_each(ro_layout.all_envs(), check)


# ---------------------------------------------------------------- status, status.json, control

def expected_status(layout, inst):
    it = inst.item
    newest = layout.newest(inst)
    newer = newest["id"] != it["appServiceVersionId"]
    return {
        "instance": it["code"], "app": one_line(it["appServiceName"]),
        "environment": inst.env["code"], "version": it["versionName"],
        "latest_version": newest["version"], "upgrade_available": yes_no(newer),
        "status": it["status"], "operation": "%s %s" % (it["commandType"], it["commandStatus"]),
        "pods": "%d/%d running" % (it["podRunningCount"], it["podCount"]),
        "allowed": " ".join(allowed_verbs(it, inst.env, newer)),
        "error": one_line(it.get("error")), "updated": it["lastUpdateDate"],
    }


def test_status_matches_i1(ro_mnt, ro_layout):
    def check(inst):
        pairs = parse_kv(ro_mnt.read(*inst.parts, "status"))
        keys = [k for k, _ in pairs]
        missing = [k for k in STATUS_KEYS if k not in keys]
        assert not missing, "status lacks %r: %r" % (missing, pairs)
        assert len(set(keys)) == len(keys), keys
        assert [k for k in keys if k in STATUS_KEYS] == list(STATUS_KEYS), keys
        got = dict(pairs)
        check_state_label(got.pop("state"), state_zh(inst.item))
        expect = expected_status(ro_layout, inst)
        assert {k: got[k] for k in expect} == expect
        if "target_version" in got:
            assert got["target_version"] == inst.item["commandVersion"], got
    for_each(ro_layout.instances, check)


def test_status_json_is_status(ro_mnt, ro_layout):
    def check(inst):
        text = dict(parse_kv(ro_mnt.read(*inst.parts, "status")))
        obj = json.loads(ro_mnt.read(*inst.parts, "status.json"))
        assert isinstance(obj, dict), obj
        for k, v in text.items():
            assert k in obj, "status.json lacks %r: %r" % (k, obj)
            j = obj[k]
            if k == "allowed":
                assert (j if isinstance(j, list) else j.split()) == v.split(), (k, j, v)
            elif isinstance(j, bool):
                assert yes_no(j) == v, (k, j, v)
            else:
                assert (j if j is not None else "") == v, (k, j, v)
    for_each(ro_layout.instances, check)


def test_control_lists_allowed_verbs_and_usage(ro_mnt, ro_layout):
    def check(inst):
        text = ro_mnt.read(*inst.parts, "control")
        allowed = [v for k, v in parse_kv(text.split("\n\n")[0] + "\n") if k == "allowed"]
        assert allowed == [expected_status(ro_layout, inst)["allowed"]], text
        for verb in ("stop", "start", "redeploy", "upgrade"):
            assert re.search(r"\b%s\b" % verb, text.split("\n", 1)[1]), \
                "usage of %s missing: %r" % (verb, text)
        assert "delete %s" % inst.code in text, "the usage of delete names the code: %r" % text
    for_each(ro_layout.instances, check)


def test_last_error_empty_on_fresh_mount(ro_mnt, ro_layout):
    def check(inst):
        text = ro_mnt.read(*inst.parts, "last_error")
        if inst.item["commandStatus"] != "failed":
            assert text == "", "no operation failed through this mount: %r" % text
        elif text:
            assert one_line(inst.item["error"]) in text, text
    for_each(ro_layout.instances, check)


# ---------------------------------------------------------------- values.yaml, versions

def test_values_yaml_is_v1(ro_mnt, ro_layout):
    def check(inst):
        assert read_bytes(ro_mnt.p(*inst.parts, "values.yaml")) == \
            ro_layout.api.values(inst.p, inst.id).encode()
    for_each(ro_layout.instances, check)


def test_versions_match_r1(ro_mnt, ro_layout):
    def check(inst):
        header, rows = parse_table(ro_mnt.read(*inst.parts, "versions"))
        assert header[:2] == ["VERSION", "CREATED"], header
        r1 = {v["version"]: v for v in ro_layout.api.versions(inst.p, inst.item["appServiceId"])}
        assert sorted(r["VERSION"] for r in rows) == sorted(r1), (rows, list(r1))
        newest = ro_layout.newest(inst)["version"]
        assert rows[0]["VERSION"] == newest, "newest first: %r" % rows
        created = [r1[r["VERSION"]]["creationDate"] for r in rows]
        assert created == sorted(created, reverse=True), "newest first: %r" % rows
        for r in rows:
            v = r1[r["VERSION"]]
            assert r["CREATED"] == v["creationDate"], r
            marks = set(re.findall(r"\b(deployed|latest)\b",
                                   " ".join(c for h, c in r.items() if h not in ("VERSION",
                                                                                 "CREATED"))))
            expect = {m for m, yes in (("deployed", v["version"] == inst.item["versionName"]),
                                       ("latest", v["version"] == newest)) if yes}
            assert marks == expect, (r, expect)
    for_each(ro_layout.instances, check)


# ---------------------------------------------------------------- resources/

# kind → (I4 key, {column: value of an item}, columns the table must have)
RESOURCE_COLUMNS = {
    "pods": ("podVOS", {
        "READY": lambda x: "%d/%d" % (x["ready"], x["desire"]), "STATUS": lambda x: x["status"],
        "RESTARTS": lambda x: x["restarts"]},
        ("NAME", "READY", "STATUS", "RESTARTS", "AGE")),
    "deployments": ("deploymentVOS", {
        "DESIRED": lambda x: x["desired"], "CURRENT": lambda x: x["current"],
        "UP-TO-DATE": lambda x: x["upToDate"], "AVAILABLE": lambda x: x["available"],
        "PORTS": lambda x: ",".join(str(p) for p in x.get("ports") or [])},
        ("NAME", "DESIRED", "CURRENT", "UP-TO-DATE", "AVAILABLE", "PORTS", "AGE")),
    "replicasets": ("replicaSetVOS", {
        "DESIRED": lambda x: x["desired"], "CURRENT": lambda x: x["current"],
        "READY": lambda x: x["ready"]},
        ("NAME", "DESIRED", "CURRENT", "READY", "AGE")),
    "services": ("serviceVOS", {
        "TYPE": lambda x: x["type"], "CLUSTER-IP": lambda x: x["clusterIp"],
        "EXTERNAL-IP": lambda x: x["externalIp"], "PORT(S)": lambda x: x["port"],
        "TARGET-PORT": lambda x: x.get("targetPort")},
        ("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE")),
    "ingresses": ("ingressVOS", {
        "HOSTS": lambda x: x["hosts"], "ADDRESS": lambda x: x["address"],
        "PORTS": lambda x: x["ports"], "SERVICES": lambda x: ",".join(x.get("services") or [])},
        ("NAME", "HOSTS", "ADDRESS", "PORTS", "SERVICES", "AGE")),
    "statefulsets": ("statefulSetVOS", {
        "DESIRED": lambda x: x["desiredReplicas"], "CURRENT": lambda x: x["currentReplicas"],
        "READY": lambda x: x["readyReplicas"]},
        ("NAME", "DESIRED", "CURRENT", "READY", "AGE")),
    "daemonsets": ("daemonSetVOS", {
        "DESIRED": lambda x: x["desiredScheduled"], "CURRENT": lambda x: x["currentScheduled"],
        "AVAILABLE": lambda x: x["numberAvailable"]},
        ("NAME", "DESIRED", "CURRENT", "AVAILABLE", "AGE")),
    "pvcs": ("persistentVolumeClaimVOS", {
        "STATUS": lambda x: x["status"], "CAPACITY": lambda x: x["capacity"],
        "ACCESS-MODES": lambda x: x["accessModes"]},
        ("NAME", "STATUS", "CAPACITY", "ACCESS-MODES", "AGE")),
}


def check_resource_table(text, items, columns, required):
    header, rows = parse_table(text)
    missing = [h for h in required if h not in header]
    assert not missing, "columns %r missing from %r" % (missing, header)
    assert header[0] == "NAME", header
    assert sorted(r["NAME"] for r in rows) == sorted(cell(x["name"]) for x in items), \
        (rows, [x["name"] for x in items])
    by_name = {x["name"]: x for x in items}
    for r in rows:
        x = by_name[r["NAME"]]
        for h, fn in columns.items():
            if h in r:
                assert r[h] == cell(fn(x)), (h, r, x)
        assert age_ok(r["AGE"], x.get("age")), "AGE %r of %r" % (r["AGE"], x.get("age"))


def test_resources_tables_match_i4(ro_mnt, ro_layout):
    def check(inst):
        res = ro_layout.api.resources(inst.p, inst.id)
        for kind in RESOURCE_KINDS:
            key, columns, required = RESOURCE_COLUMNS[kind]
            text = ro_mnt.read(*inst.parts, "resources", kind)
            try:
                check_resource_table(text, res[key], columns, required)
            except AssertionError as e:
                raise AssertionError("resources/%s: %s\n%s" % (kind, e, text))
    for_each(ro_layout.instances, check)


# ---------------------------------------------------------------- deployments/NAME/

def deployments_of(layout):
    """[(instance, I4 deployment)] over every instance."""
    out = []
    for inst in layout.instances:
        for d in layout.api.resources(inst.p, inst.id)["deploymentVOS"]:
            out.append((inst, d))
    return out


def test_deployment_dirs_match_i4(ro_mnt, ro_layout):
    deps = deployments_of(ro_layout)
    assert deps, "the demo data has deployments"

    def check(inst):
        names = [d["name"] for d in ro_layout.api.resources(inst.p, inst.id)["deploymentVOS"]]
        assert sorted(os.listdir(ro_mnt.p(*inst.parts, "deployments"))) == \
            sorted(sanitize(n) for n in names)
        for n in names:
            assert sorted(os.listdir(ro_mnt.p(*inst.parts, "deployments", sanitize(n)))) == \
                sorted(DEPLOYMENT_FILES)
    for_each(ro_layout.instances, check)


def test_deployment_summary_matches_i4(ro_mnt, ro_layout):
    def check(pair):
        inst, d = pair
        text = ro_mnt.read(*inst.parts, "deployments", sanitize(d["name"]), "summary")
        head, _, table = text.partition("\n\n")
        kv = kv_dict(head + "\n")
        for key, field in (("desired", "desired"), ("current", "current"),
                           ("available", "available")):
            assert kv.get(key) == str(d[field]), (key, kv, d)
        assert kv.get("up_to_date", kv.get("up-to-date")) == str(d["upToDate"]), kv
        header, rows = parse_table(table)
        pods = d.get("devopsEnvPodVOS") or []
        assert sorted(r["NAME"] for r in rows) == sorted(p["name"] for p in pods), (rows, pods)
        status = {p["name"]: p["status"] for p in pods}
        for r in rows:
            assert r["STATUS"] == cell(status[r["NAME"]]), r
    for_each(deployments_of(ro_layout), check)


def test_detail_json_and_yaml_are_i5_i6(ro_mnt, ro_layout):
    def check(pair):
        inst, d = pair
        base = ro_mnt.p(*inst.parts, "deployments", sanitize(d["name"]))
        assert json.loads(read_bytes(os.path.join(base, "detail.json"))) == \
            ro_layout.api.detail_json(inst.p, inst.id, d["name"])
        assert read_bytes(os.path.join(base, "detail.yaml")) == \
            ro_layout.api.detail_yaml(inst.p, inst.id, d["name"]).encode()
    for_each(deployments_of(ro_layout), check)


def pod_spec(detail):
    return ((detail.get("spec") or {}).get("template") or {}).get("spec") or {}


def has_row(rows, *values):
    """Whether some line holds every value as one of its cells."""
    want = [str(v) for v in values if v is not None]
    return any(all(w in r for w in want) for r in rows)


def text_value(v):
    if isinstance(v, bool):
        return yes_no(v)
    return str(v)


def check_panels(files, detail):
    spec = pod_spec(detail)
    containers = spec.get("containers") or []
    ports = [pt for c in containers for pt in c.get("ports") or []]
    _, port_rows = parse_table(files["ports"])
    assert len(port_rows) == len(ports), (files["ports"], ports)
    rows = lines_of(files["ports"])
    for pt in ports:
        assert has_row(rows, pt["containerPort"], pt.get("name"), pt.get("protocol")), \
            ("ports", pt, files["ports"])
    rows = lines_of(files["volumes"])
    for v in spec.get("volumes") or []:
        assert has_row(rows, v["name"]), ("volumes", v, files["volumes"])
    for c in containers:
        for m in c.get("volumeMounts") or []:
            assert has_row(rows, m["name"], m["mountPath"]), ("volumes", m, files["volumes"])
    probes = [c[k] for c in containers for k in ("readinessProbe", "livenessProbe") if k in c]
    _, health_rows = parse_table(files["health"])
    assert len(health_rows) == len(probes), (files["health"], probes)
    rows = lines_of(files["health"])
    for pr in probes:
        nums = [pr.get(k) for k in ("initialDelaySeconds", "periodSeconds", "timeoutSeconds",
                                    "successThreshold", "failureThreshold")]
        assert has_row(rows, *nums), ("health", pr, files["health"])
    host = files["host"]
    for key in ("hostNetwork", "hostIPC"):
        if key in spec:
            assert re.search(r"^%s: %s$" % (key, text_value(spec[key])), host, re.M), (key, host)
    for c in containers:
        if c.get("imagePullPolicy"):
            assert c["imagePullPolicy"] in host, ("host", c["imagePullPolicy"], host)
        for k, v in (c.get("securityContext") or {}).items():
            if isinstance(v, bool):
                assert re.search(r"^%s: %s$" % (k, yes_no(v)), host, re.M), (k, host)
    env_lines = files["env"].split("\n")
    for c in containers:
        for var in c.get("env") or []:
            if "value" in var:
                line = "%s=%s" % (var["name"], one_line(text_value(var["value"])))
                assert line in env_lines, ("env", line, files["env"])
            else:
                assert any(x.startswith(var["name"] + "=") for x in env_lines), \
                    ("env", var, files["env"])
    label_lines = files["labels"].split("\n")
    meta = detail.get("metadata") or {}
    for section in ("labels", "annotations"):
        for k, v in (meta.get(section) or {}).items():
            assert "%s=%s" % (k, one_line(text_value(v))) in label_lines, \
                (section, k, files["labels"])


def test_deployment_panels_match_i5(ro_mnt, ro_layout):
    def check(pair):
        inst, d = pair
        base = ro_mnt.p(*inst.parts, "deployments", sanitize(d["name"]))
        files = {n: read_bytes(os.path.join(base, n)).decode()
                 for n in ("ports", "volumes", "health", "host", "env", "labels")}
        check_panels(files, ro_layout.api.detail_json(inst.p, inst.id, d["name"]))
    for_each(deployments_of(ro_layout), check)


# ---------------------------------------------------------------- events/ and events.log

def event_dirs(mnt, layout, inst):
    """{index in I8: directory name} of the latest four operations, checking the names:
    SEQ (commands numbered oldest first from 1) - TYPE [- VERSION]."""
    evs = layout.api.events(inst.p, inst.id)
    names = os.listdir(mnt.p(*inst.parts, "events"))
    assert len(names) == min(4, len(evs)), (names, [e["type"] for e in evs])
    versions = {v["version"] for v in layout.api.versions(inst.p, inst.item["appServiceId"])}
    out = {}
    for idx, ev in enumerate(evs[:4]):
        prefix = "%04d-%s" % (len(evs) - idx, ev["type"])
        found = [n for n in names if n == prefix or n.startswith(prefix + "-")]
        assert len(found) == 1, "no directory %s[-VERSION] in %r" % (prefix, names)
        version = found[0][len(prefix) + 1:]
        if idx == 0 and ev["type"] == inst.item["commandType"]:
            assert version == inst.item["commandVersion"], (found, inst.item["commandVersion"])
        elif version:
            assert version in versions, (found, versions)
        out[idx] = found[0]
    return evs, out


def test_events_dirs_are_the_latest_four_of_i8(ro_mnt, ro_layout):
    def check(inst):
        evs, dirs = event_dirs(ro_mnt, ro_layout, inst)
        for name in dirs.values():
            listing = set(os.listdir(ro_mnt.p(*inst.parts, "events", name)))
            assert {"summary", "events", "jobs"} <= listing <= \
                {"summary", "events", "jobs", "values.yaml"}, listing
    for_each(ro_layout.instances, check)


def test_event_summary_and_events_match_i8(ro_mnt, ro_layout):
    def check(inst):
        evs, dirs = event_dirs(ro_mnt, ro_layout, inst)
        for idx, name in dirs.items():
            ev = evs[idx]
            kv = kv_dict(ro_mnt.read(*inst.parts, "events", name, "summary"))
            assert kv.get("type") == ev["type"], kv
            if "status" in kv:
                assert kv["status"] == ev["status"], kv
            check_state_label(kv["state"], STATE_ZH[(ev["type"], ev["status"])])
            assert ev["loginName"] in kv.get("who", ""), kv
            assert kv.get("when") == ev["createTime"], kv
            assert kv.get("error") == one_line(ev.get("commandError")), kv
            text = ro_mnt.read(*inst.parts, "events", name, "events")
            lines = [x.strip() for x in text.split("\n")]
            for pe in ev["podEventVO"]:
                assert any(x.startswith(pe["name"]) for x in lines), (pe["name"], text)
                for line in (pe.get("event") or "").split("\n"):
                    if line.strip():
                        assert one_line(line).strip() in lines, (line, text)
    for_each(ro_layout.instances, check)


def test_job_logs_match_i8(ro_mnt, ro_layout):
    seen = []

    def check(inst):
        evs, dirs = event_dirs(ro_mnt, ro_layout, inst)
        for idx, name in dirs.items():
            jobs = [pe for pe in evs[idx]["podEventVO"] if pe.get("jobPodStatus") is not None]
            base = ro_mnt.p(*inst.parts, "events", name, "jobs")
            assert sorted(os.listdir(base)) == sorted(sanitize(j["name"]) + ".log" for j in jobs)
            for j in jobs:
                log = j.get("log") or ""
                expect = log + ("\n" if log and not log.endswith("\n") else "")
                assert read_bytes(os.path.join(base, sanitize(j["name"]) + ".log")) == \
                    expect.encode(), j["name"]
                seen.append(j["name"])
    for_each(ro_layout.instances, check)
    assert seen, "the demo data has job logs"


def test_events_log_journals_every_operation_of_i8(ro_mnt, ro_layout):
    def check(inst):
        text = ro_mnt.read(*inst.parts, "events.log")
        lines = text.split("\n")
        assert text.endswith("\n") and lines[-1] == "", text[-200:]
        for line in lines[:-1]:
            assert re.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \S", line), line
        evs = ro_layout.api.events(inst.p, inst.id)
        for idx, ev in enumerate(evs):
            pattern = r" command %04d %s\b.* %s\b" % (len(evs) - idx, ev["type"], ev["status"])
            assert any(re.search(pattern, x) for x in lines), (pattern, text)
            for pe in ev["podEventVO"]:
                for line in (pe.get("event") or "").split("\n"):
                    if line.strip():
                        assert any(line.strip() in x and pe["name"] in x for x in lines), \
                            (pe["name"], line, text)
        assert state_zh(inst.item) in text, "the current state is journalled: %r" % text
    for_each(ro_layout.instances, check)
