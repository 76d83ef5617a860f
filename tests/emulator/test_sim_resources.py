"""Running details: I4 resources, I5/I6 deployment detail, pods following operations."""
import re

import yaml

from simapi import (I4_KEYS, assert_accepted, assert_error, assert_iso, assert_keys,
                    clean_values, is_int, with_flags)

pytest_plugins = ("simapi",)  # the emulator fixtures

PORT_RE = re.compile(r"^\d+(:\d+)?/(TCP|UDP|SCTP)(,\d+(:\d+)?/(TCP|UDP|SCTP))*$")
RELEASE = "choerodon.io/release"
ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def check_resources(res, inst_id):
    assert_keys(res, I4_KEYS, "I4 resources")
    for k in I4_KEYS:
        assert isinstance(res[k], list), (k, res)
    for pod in res["podVOS"]:
        assert_keys(pod, ("name", "ready", "desire", "status", "restarts", "age"), "PodVO")
        assert isinstance(pod["name"], str) and isinstance(pod["status"], str), pod
        for k in ("ready", "desire", "restarts"):
            assert is_int(pod[k]), (k, pod)
        assert 0 <= pod["ready"] <= pod["desire"], pod
        assert_iso(pod["age"], "pod age")
    for d in res["deploymentVOS"]:
        assert_keys(d, ("name", "desired", "current", "upToDate", "available", "age", "ports",
                        "labels", "devopsEnvPodVOS", "instanceId"), "DeploymentVO")
        for k in ("desired", "current", "upToDate", "available"):
            assert is_int(d[k]), (k, d)
        assert isinstance(d["ports"], list) and all(is_int(x) for x in d["ports"]), d
        assert isinstance(d["labels"], dict) and isinstance(d["devopsEnvPodVOS"], list), d
        assert d["instanceId"] == inst_id, d
        assert_iso(d["age"], "deployment age")
    for rs in res["replicaSetVOS"]:
        assert_keys(rs, ("name", "desired", "current", "ready", "age"), "ReplicaSetVO")
        assert is_int(rs["desired"]) and rs["desired"] > 0, \
            "replica sets with 0 replicas are skipped: %r" % rs
        assert_iso(rs["age"], "replica set age")
    for s in res["serviceVOS"]:
        assert_keys(s, ("name", "type", "clusterIp", "externalIp", "port", "targetPort", "age"),
                    "ServiceVO")
        assert isinstance(s["port"], str) and PORT_RE.match(s["port"]), s
        assert isinstance(s["clusterIp"], str) and isinstance(s["type"], str), s
        assert_iso(s["age"], "service age")
    for ing in res["ingressVOS"]:
        assert_keys(ing, ("name", "hosts", "address", "ports", "age", "services"), "IngressVO")
        assert isinstance(ing["hosts"], str) and ing["hosts"], ing
        assert isinstance(ing["services"], list), ing
        assert_iso(ing["age"], "ingress age")
    for pvc in res["persistentVolumeClaimVOS"]:
        assert_keys(pvc, ("name", "status", "capacity", "accessModes", "age"), "PersistentVolumeClaimVO")


def running_count(res):
    return sum(1 for pod in res["podVOS"]
               if pod["status"] == "Running" and pod["ready"] == pod["desire"])


def detail(api, p, i, name):
    r = api.detail_json_raw(p, i, name)
    assert r.status == 200, (r.status, r.body[:200])
    body = r.json()
    assert body.get("failed") is not True, body
    assert_keys(body, ("instanceId", "detail"), "InstanceControllerDetailVO")
    assert body["instanceId"] == i, body
    return body["detail"]


def containers(dep):
    return dep["spec"]["template"]["spec"]["containers"]


def test_i4_shape_for_every_instance(ro_api, ro_world):
    for inst in ro_world.instances:
        res = ro_api.resources(inst.p, inst.id)
        check_resources(res, inst.id)
        info = ro_api.instance(inst.p, inst.id)
        assert len(res["podVOS"]) == info["podCount"], (inst, res["podVOS"])
        assert running_count(res) == info["podRunningCount"], (inst, res["podVOS"])


def test_i4_running_instances_have_workloads(ro_api, ro_world):
    running = ro_world.find(status="running", connected=None, clean=False)
    assert running
    for inst in running:
        res = ro_api.resources(inst.p, inst.id)
        assert res["deploymentVOS"] and res["replicaSetVOS"] and res["podVOS"], inst
        pods = {pod["name"] for pod in res["podVOS"]}
        for d in res["deploymentVOS"]:
            assert d["labels"].get(RELEASE) == inst.code or d["name"].startswith(inst.code), d
            assert {pod["name"] for pod in d["devopsEnvPodVOS"]} <= pods, d
            assert d["desired"] == d["current"] == len(d["devopsEnvPodVOS"]), d


def test_i4_stopped_instances_have_no_pods(ro_api, ro_world):
    stopped = ro_world.find(status="stopped", connected=None, clean=False)
    assert stopped
    for inst in stopped:
        assert ro_api.resources(inst.p, inst.id)["podVOS"] == [], inst
        assert ro_api.instance(inst.p, inst.id)["podCount"] == 0


def test_i4_demo_has_services_and_ingresses(ro_api, ro_world):
    res = [ro_api.resources(i.p, i.id) for i in ro_world.find(status="running", connected=None,
                                                                clean=False)]
    assert any(r["serviceVOS"] for r in res), "some demo instance has a Service"
    assert any(r["ingressVOS"] for r in res), "some demo instance has an Ingress"


def test_i5_deployment_is_kubernetes_object(ro_api, ro_world):
    for inst in ro_world.find(status="running", connected=None, clean=False):
        info = ro_api.instance(inst.p, inst.id)
        for d in ro_api.resources(inst.p, inst.id)["deploymentVOS"]:
            dep = detail(ro_api, inst.p, inst.id, d["name"])
            assert dep["kind"] == "Deployment" and dep["apiVersion"].startswith("apps/"), dep
            meta = dep["metadata"]
            assert meta["name"] == d["name"] and meta["namespace"] == inst.env["code"], meta
            assert meta["labels"][RELEASE] == inst.code, meta
            assert ISO_Z.match(meta["creationTimestamp"]), meta
            assert dep["spec"]["replicas"] == d["desired"], (dep["spec"], d)
            assert dep["spec"]["selector"]["matchLabels"] == d["labels"], (dep["spec"], d)
            assert dep["status"]["replicas"] == d["current"], (dep["status"], d)
            assert dep["status"].get("availableReplicas", 0) == d["available"], (dep["status"], d)
            cs = containers(dep)
            assert cs, dep
            assert any(c["image"].endswith(":" + info["versionName"]) for c in cs), \
                "image tag is the deployed version %s: %r" % (info["versionName"], cs)
            ports = {p["containerPort"] for c in cs for p in c.get("ports", [])}
            assert ports == set(d["ports"]), (ports, d)


def test_i5_deployments_carry_probes_env_volumes(ro_api, ro_world):
    seen = set()
    for inst in ro_world.find(status="running", connected=None, clean=False):
        for d in ro_api.resources(inst.p, inst.id)["deploymentVOS"]:
            dep = detail(ro_api, inst.p, inst.id, d["name"])
            spec = dep["spec"]["template"]["spec"]
            for c in spec["containers"]:
                if "readinessProbe" in c or "livenessProbe" in c:
                    probe = c.get("readinessProbe") or c["livenessProbe"]
                    assert is_int(probe["periodSeconds"]), probe
                    assert any(k in probe for k in ("exec", "httpGet", "tcpSocket")), probe
                    seen.add("probe")
                if c.get("env"):
                    assert all(isinstance(e["name"], str) for e in c["env"]), c["env"]
                    seen.add("env")
                if c.get("volumeMounts"):
                    names = {v["name"] for v in spec.get("volumes", [])}
                    assert {m["name"] for m in c["volumeMounts"]} <= names, spec
                    seen.add("volumes")
    assert seen == {"probe", "env", "volumes"}, \
        "demo deployments show probes, env and volumes: %r" % seen


def test_i6_yaml_matches_json(ro_api, ro_world):
    inst = ro_world.find(status="running", connected=None, clean=False)[0]
    name = ro_api.resources(inst.p, inst.id)["deploymentVOS"][0]["name"]
    r = ro_api.detail_yaml_raw(inst.p, inst.id, name)
    assert r.status == 200
    body = r.json()
    assert body.get("failed") is not True, body
    assert body["instanceId"] == inst.id
    assert isinstance(body["detail"], str), body
    assert yaml.safe_load(body["detail"]) == detail(ro_api, inst.p, inst.id, name)


def test_i5_i6_unknown_deployment(ro_api, ro_world):
    inst = ro_world.find(status="running", connected=None, clean=False)[0]
    assert_error(ro_api.detail_json_raw(inst.p, inst.id, "no-such-deployment"),
                 "error.instance.resource.not.found")
    assert_error(ro_api.detail_yaml_raw(inst.p, inst.id, "no-such-deployment"),
                 "error.instance.resource.not.found")


def test_replicas_follow_values(api, world):
    inst = world.pick(status="running")
    info = api.instance(inst.p, inst.id)
    vals = clean_values(api.values(inst.p, inst.id)["yaml"])
    vals["replicaCount"] = 3
    api.deploy(inst.p, info, vals)
    info = api.instance(inst.p, inst.id)
    assert (info["status"], info["commandStatus"]) == ("running", "success"), info
    res = api.resources(inst.p, inst.id)
    assert len(res["deploymentVOS"]) >= 1
    d = res["deploymentVOS"][0]
    assert d["desired"] == 3 and d["available"] == 3, d
    assert detail(api, inst.p, inst.id, d["name"])["spec"]["replicas"] == 3
    assert len(res["podVOS"]) == info["podCount"] == 3
    assert info["podRunningCount"] == 3
    assert api.pods(inst.p, inst.e, inst.id)["totalElements"] == 3
    vals["replicaCount"] = 1
    api.deploy(inst.p, info, vals)
    res = api.resources(inst.p, inst.id)
    assert res["deploymentVOS"][0]["desired"] == 1 and len(res["podVOS"]) == 1


def test_upgrade_changes_image_tag(api, world):
    inst = world.pick(status="running")
    info = api.instance(inst.p, inst.id)
    newer = api.upgrade_versions(inst.p, info["appServiceVersionId"])
    others = newer or [v for v in api.versions(inst.p, info["appServiceId"])
                       if v["id"] != info["appServiceVersionId"]]
    assert others, "the app service has other versions"
    target = others[0]
    vals = api.upgrade_value(inst.p, inst.id, target["id"])["yaml"]
    api.deploy(inst.p, info, vals, version_id=target["id"])
    info = api.instance(inst.p, inst.id)
    assert info["versionName"] == target["version"], info
    d = api.resources(inst.p, inst.id)["deploymentVOS"][0]
    cs = containers(detail(api, inst.p, inst.id, d["name"]))
    assert any(c["image"].endswith(":" + target["version"]) for c in cs), cs
    pods = api.pods(inst.p, inst.e, inst.id)["content"]
    assert pods and all(pod["appServiceVersion"] == target["version"] for pod in pods), pods


def test_stop_removes_pods_start_recreates(api, world):
    inst = world.pick(status="running")
    before = api.instance(inst.p, inst.id)
    assert before["podCount"] >= 1
    assert_accepted(api.stop(inst.p, inst.id))
    api.advance()
    assert api.resources(inst.p, inst.id)["podVOS"] == []
    info = api.instance(inst.p, inst.id)
    assert (info["status"], info["podCount"], info["podRunningCount"]) == ("stopped", 0, 0), info
    assert api.pods(inst.p, inst.e, inst.id)["totalElements"] == 0
    tree = {e["id"]: e for e in api.tree(inst.p)}[inst.e]
    assert [it["podCount"] for it in tree["instances"] if it["id"] == inst.id] == [0]
    assert_accepted(api.start(inst.p, inst.id))
    api.advance()
    res = api.resources(inst.p, inst.id)
    info = api.instance(inst.p, inst.id)
    assert info["status"] == "running", info
    assert len(res["podVOS"]) == info["podCount"] == before["podCount"], res["podVOS"]
    assert all(pod["status"] == "Running" for pod in res["podVOS"]), res["podVOS"]
    assert info["podRunningCount"] == before["podCount"]


def test_pod_status_from_values(api, world):
    inst = world.pick(status="running")
    info = api.instance(inst.p, inst.id)
    vals = with_flags(clean_values(api.values(inst.p, inst.id)["yaml"]),
                      pod_status="CrashLoopBackOff")
    api.deploy(inst.p, info, vals)
    res = api.resources(inst.p, inst.id)
    assert res["podVOS"], res
    assert {pod["status"] for pod in res["podVOS"]} == {"CrashLoopBackOff"}, res["podVOS"]
    info = api.instance(inst.p, inst.id)
    assert info["podRunningCount"] == 0 and info["podCount"] == len(res["podVOS"]), info
    for pod in api.pods(inst.p, inst.e, inst.id)["content"]:
        assert pod["status"] == "CrashLoopBackOff" and pod["ready"] is False, pod
