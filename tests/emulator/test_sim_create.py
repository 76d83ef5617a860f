"""The create transitions of §4.4/§4.5: an instance created elsewhere (X1 is not part of the
client) is loaded with its create command still operating; /_sim/advance completes it as
the agent would: success → running + 创建成功, failure → failed + 创建失败 with the error."""
import os

import yaml

from conftest import Sim
from simapi import Api, World, check_event, jobs_of

DEMO_DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "contrib", "devops-sim", "demo-data.yaml")

GOOD, BAD = "demo-api-n3w0k", "demo-api-n3w0f"


def creating(code, **extra):
    entry = {"type": "create", "version": "0.2.1", "at": "-1m", "user": "admin",
             "result": "operating"}
    entry.update(extra)
    return {"code": code, "env": "dev", "app": "demo-api", "history": [entry]}


def data_with_creates(tmp_path):
    with open(DEMO_DATA, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    project = next(p for p in data["projects"] if p["code"] == "ecommerce")
    project["instances"].append(creating(GOOD))
    project["instances"].append(creating(BAD, set={"c7nsim": {"fail": True}}))
    path = tmp_path / "data.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return str(path)


def by_code(world, code):
    inst = next(i for i in world.instances if i.item["code"] == code)
    return inst, world.api.instance(inst.p, inst.item["id"])


def test_create_completes_with_success_and_with_failure(tmp_path):
    sim = Sim(["--data", data_with_creates(tmp_path)], transition_ms=3600000)
    try:
        api = Api(sim)
        world = World(api)
        for code in (GOOD, BAD):
            inst, item = by_code(world, code)
            assert item["status"] == "operating", item
            assert (item["commandType"], item["commandStatus"]) == ("create", "operating")
            ev = api.events(inst.p, item["id"])
            assert [(e["type"], e["status"]) for e in ev] == [("create", "operating")]
        sim.advance()
        world = World(api)

        inst, item = by_code(world, GOOD)
        assert item["status"] == "running", item
        assert (item["commandType"], item["commandStatus"]) == ("create", "success")
        assert item["podCount"] >= 1 and item["podRunningCount"] == item["podCount"], item
        ev = api.events(inst.p, item["id"])
        assert [(e["type"], e["status"]) for e in ev] == [("create", "success")]
        check_event(ev[0])

        inst, item = by_code(world, BAD)
        assert item["status"] == "failed", item
        assert (item["commandType"], item["commandStatus"]) == ("create", "failed")
        assert isinstance(item["error"], str) and item["error"], item
        ev = api.events(inst.p, item["id"])
        assert [(e["type"], e["status"]) for e in ev] == [("create", "failed")]
        assert ev[0]["commandError"] == item["error"]
        assert [j["jobPodStatus"] for j in jobs_of(ev[0])] == ["fail"], ev[0]
    finally:
        sim.stop()
