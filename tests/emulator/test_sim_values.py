"""Values and versions: V1, V2, V3 (merge), V5 (format check), R1, R2."""
from simapi import (UPGRADE_VERSION_KEYS, VERSION_KEYS, assert_date, assert_keys, assert_page,
                    clean_values, deep_merge, delta, is_id, is_int, leaves, load_values)

pytest_plugins = ("simapi",)  # the emulator fixtures


def app_services(world):
    """{appServiceId: (project id, an instance item)} over all demo instances."""
    out = {}
    for inst in world.instances:
        out.setdefault(inst.item["appServiceId"], (inst.p, inst.item))
    return out


def oldest_and_newest(api, p, versions):
    """By R2: the newest has no newer version, the oldest has all others newer."""
    counts = {v["id"]: len(api.upgrade_versions(p, v["id"])) for v in versions}
    newest = [v for v in versions if counts[v["id"]] == 0]
    oldest = [v for v in versions if counts[v["id"]] == len(versions) - 1]
    assert len(newest) == 1 and len(oldest) == 1, counts
    return oldest[0], newest[0]


# ---------------------------------------------------------------- V1 V2 V3 V5

def test_v1_v2_current_values(ro_api, ro_world):
    for inst in ro_world.instances:
        v1 = ro_api.values(inst.p, inst.id)
        v2 = ro_api.last_deploy_value(inst.p, inst.id)
        assert isinstance(v1.get("yaml"), str) and v1["yaml"].strip(), v1
        assert isinstance(load_values(v1["yaml"]), dict), v1["yaml"]
        assert v2["yaml"] == v1["yaml"]


def test_v3_with_current_version_is_last_values(ro_api, ro_world):
    for inst in ro_world.instances:
        v3 = ro_api.upgrade_value(inst.p, inst.id, inst.item["commandVersionId"])
        assert v3["yaml"] == ro_api.values(inst.p, inst.id)["yaml"], inst


def test_v3_merges_user_changes_onto_new_defaults(api, world):
    inst = world.pick(status="running")
    info = api.instance(inst.p, inst.id)
    versions = api.versions(inst.p, info["appServiceId"])
    oldest, newest = oldest_and_newest(api, inst.p, versions)
    # Deploy the oldest version with its own merge, then make user changes on top of it.
    base = clean_values(api.upgrade_value(inst.p, inst.id, oldest["id"])["yaml"])
    api.deploy(inst.p, info, base, version_id=oldest["id"])
    user = dict(base)
    replicas = (base.get("replicaCount") or 1) + 2
    user["replicaCount"] = replicas
    user["c7nsimUserKey"] = {"kept": "yes"}
    api.deploy(inst.p, api.instance(inst.p, inst.id), user, version_id=oldest["id"])
    info = api.instance(inst.p, inst.id)
    assert info["appServiceVersionId"] == oldest["id"], info
    merged = load_values(api.upgrade_value(inst.p, inst.id, newest["id"])["yaml"])
    assert merged.get("replicaCount") == replicas, "the user's change is kept: %r" % merged
    assert merged.get("c7nsimUserKey") == {"kept": "yes"}, "the user's key is kept: %r" % merged
    d_old = load_values(api.version_defaults(inst.p, oldest["id"])["yaml"])
    d_new = load_values(api.version_defaults(inst.p, newest["id"])["yaml"])
    added = {k: v for k, v in leaves(d_new).items() if k not in leaves(d_old)}
    assert added, "the newest version adds default values"
    merged_leaves = leaves(merged)
    for k, v in added.items():
        assert merged_leaves.get(k) == v, "new default %s=%r appears: %r" % (".".join(k), v, merged)
    assert merged == deep_merge(d_new, delta(user, d_old)), \
        "V3 = new defaults + the user's delta against the old defaults"
    # the current values are not touched by asking
    assert load_values(api.values(inst.p, inst.id)["yaml"]) == user


def test_v4_matches_v3_and_defaults(ro_api, ro_world):
    inst = ro_world.find(status="running", clean=False)[0]
    for v in ro_api.versions(inst.p, inst.item["appServiceId"]):
        v4 = ro_api.ok("GET", "/devops/v1/projects/%d/app_service_instances/deploy_value" % inst.p,
                       query={"type": "update", "instance_id": inst.id, "version_id": v["id"]})
        assert v4["yaml"] == ro_api.upgrade_value(inst.p, inst.id, v["id"])["yaml"], v
        defaults = ro_api.version_defaults(inst.p, v["id"])["yaml"]
        assert isinstance(load_values(defaults), dict) and "c7nsim" not in load_values(defaults)


def test_v3_to_same_version_after_change(api, world):
    inst = world.pick(status="running")
    info = api.instance(inst.p, inst.id)
    vals = clean_values(api.values(inst.p, inst.id)["yaml"])
    vals["c7nsimUserKey"] = "x"
    api.deploy(inst.p, info, vals)
    v3 = api.upgrade_value(inst.p, inst.id, info["appServiceVersionId"])["yaml"]
    assert load_values(v3) == vals


def test_v5_valid_yaml(ro_api, ro_world):
    p = ro_world.main["id"]
    assert ro_api.value_format(p, "a: 1\nb:\n  c: [1, 2]\n") == []
    inst = ro_world.instances[0]
    assert ro_api.value_format(p, ro_api.values(inst.p, inst.id)["yaml"]) == []


def test_v5_invalid_yaml(ro_api, ro_world):
    p = ro_world.main["id"]
    errs = ro_api.value_format(p, "a: 1\nb: [1, 2\nc: d\n")
    assert isinstance(errs, list) and errs, errs
    for e in errs:
        assert_keys(e, ("lineNumber", "errorMsg"), "ErrorLineVO")
        assert is_int(e["lineNumber"]) and 1 <= e["lineNumber"] <= 4, e
        assert isinstance(e["errorMsg"], str) and e["errorMsg"], e
    errs = ro_api.value_format(p, "a:\n\tb: 1\n")
    assert errs and errs[0]["lineNumber"] == 2, errs


# ---------------------------------------------------------------- R1 R2

def test_r1_versions_of_every_app_service(ro_api, ro_world):
    apps = app_services(ro_world)
    assert len(apps) >= 4
    for app, (p, item) in apps.items():
        pg = ro_api.versions_page(p, app)
        assert_page(pg, 0, 40)
        vs = pg["content"]
        assert len(vs) >= 3, "app service %s has three or more versions" % item["appServiceName"]
        for v in vs:
            assert_keys(v, VERSION_KEYS, "AppServiceVersionVO")
            assert is_id(v["id"]) and v["appServiceId"] == app, v
            assert isinstance(v["version"], str) and v["version"], v
            assert_date(v["creationDate"], "creationDate")
        assert len({v["id"] for v in vs}) == len(vs) == len({v["version"] for v in vs})
        assert item["versionName"] in {v["version"] for v in vs}


def test_r1_paging_and_version_filter(ro_api, ro_world):
    app, (p, item) = next(iter(app_services(ro_world).items()))
    all_versions = ro_api.versions(p, app)
    n = len(all_versions)
    got = []
    for number in range(n):
        pg = ro_api.versions_page(p, app, page=number, size=1)
        assert_page(pg, number, 1, total=n)
        got += [v["id"] for v in pg["content"]]
    assert sorted(got) == sorted(v["id"] for v in all_versions)
    name = item["versionName"]
    pg = ro_api.versions_page(p, app, version=name)
    assert name in [v["version"] for v in pg["content"]]
    assert all(name in v["version"] for v in pg["content"]), pg["content"]


def test_r1_accepts_empty_object_body(ro_api, ro_world):
    app, (p, item) = next(iter(app_services(ro_world).items()))
    pg = ro_api.ok("POST", "/devops/v1/projects/%d/app_service_versions/page_by_options" % p,
                   query={"app_service_id": app, "deploy_only": "true", "do_page": "true",
                          "page": 0, "size": 40}, body={})
    assert_page(pg, 0, 40, total=len(ro_api.versions(p, app)))


def test_r2_upgrade_versions(ro_api, ro_world):
    for app, (p, item) in app_services(ro_world).items():
        versions = {v["id"]: v for v in ro_api.versions(p, app)}
        oldest, newest = oldest_and_newest(ro_api, p, list(versions.values()))
        up = ro_api.upgrade_versions(p, oldest["id"])
        assert oldest["id"] not in {v["id"] for v in up}
        for v in up:
            assert_keys(v, UPGRADE_VERSION_KEYS, "AppServiceVersionRespVO")
            assert v["appServiceId"] == app and v["id"] in versions, v
            assert v["version"] == versions[v["id"]]["version"], v
            assert v["appServiceName"] == item["appServiceName"], v
            assert_date(v["creationDate"], "creationDate")
        assert up[0]["id"] == newest["id"], "newest first (id desc): %r" % up
        # each later entry has exactly one more newer version than the one before it
        counts = [len(ro_api.upgrade_versions(p, v["id"])) for v in up]
        assert counts == list(range(len(up))), counts

