"""Authentication (A1 password and refresh grants, bearer tokens, expiry) and IAM (A2–A4)."""
import base64
from urllib.parse import urlencode

from conftest import wait_until
from simapi import Api, World, assert_keys, dv, is_id, is_int

pytest_plugins = ("simapi",)  # the emulator fixtures

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TOKEN_PATH = "/oauth/oauth/token"
EXPIRED = {"failed": True, "code": "error.permission.accessTokenExpired"}


def grant(api, headers=None, **form):
    return api.call("POST", TOKEN_PATH, token=None, raw_body=urlencode(form),
                    headers=dict(FORM, **(headers or {})))


def password_grant(api, user, password=None, client_id="c7nfs"):
    return grant(api, grant_type="password", username=user,
                 password=user if password is None else password, client_id=client_id)


def check_token_answer(body):
    assert_keys(body, ("access_token", "token_type", "refresh_token", "expires_in", "scope"),
                "token answer")
    assert isinstance(body["access_token"], str) and body["access_token"], body
    assert isinstance(body["refresh_token"], str) and body["refresh_token"], body
    assert body["token_type"].lower() == "bearer", body
    assert is_int(body["expires_in"]) and body["expires_in"] > 0, body
    assert isinstance(body["scope"], str), body


def assert_expired(r):
    assert r.status == 403, "expired token: expected 403, got %d %r" % (r.status, r.body[:200])
    body = r.json()
    for k, v in EXPIRED.items():
        assert body.get(k) == v, body


def test_password_grant_for_each_user(ro_api):
    for user in ("admin", "dev", "viewer"):
        r = password_grant(ro_api, user, client_id="any-client-%s" % user)
        assert r.status == 200, (user, r.status, r.body)
        body = r.json()
        check_token_answer(body)
        me = ro_api.user(token=body["access_token"])
        assert me["loginName"] == user


def test_password_grant_with_http_basic_client(ro_api):
    basic = base64.b64encode(b"c7nfs:secret").decode()
    r = grant(ro_api, headers={"Authorization": "Basic " + basic},
              grant_type="password", username="dev", password="dev")
    assert r.status == 200, (r.status, r.body)
    check_token_answer(r.json())
    assert ro_api.user(token=r.json()["access_token"])["loginName"] == "dev"


def test_password_grant_tokens_are_distinct(ro_api):
    a = password_grant(ro_api, "admin").json()
    b = password_grant(ro_api, "admin").json()
    assert a["access_token"] != b["access_token"]
    assert a["access_token"] not in ("c7n-demo-admin", a["refresh_token"])


def test_password_grant_wrong_password_refused(ro_api):
    r = password_grant(ro_api, "admin", password="not-admin")
    assert r.status in (400, 401), (r.status, r.body)
    assert b"access_token" not in r.body


def test_password_grant_unknown_user_refused(ro_api):
    r = password_grant(ro_api, "nobody")
    assert r.status in (400, 401), (r.status, r.body)
    assert b"access_token" not in r.body


def test_refresh_grant_gives_working_token(ro_api):
    first = password_grant(ro_api, "viewer").json()
    r = grant(ro_api, grant_type="refresh_token", refresh_token=first["refresh_token"],
              client_id="c7nfs")
    assert r.status == 200, (r.status, r.body)
    body = r.json()
    check_token_answer(body)
    assert ro_api.user(token=body["access_token"])["loginName"] == "viewer"


def test_refresh_grant_with_bad_refresh_token_refused(ro_api):
    r = grant(ro_api, grant_type="refresh_token", refresh_token="no-such-refresh-token",
              client_id="c7nfs")
    assert r.status in (400, 401), (r.status, r.body)
    assert b"access_token" not in r.body


def test_fixed_tokens_identify_users(ro_api):
    for user in ("admin", "dev", "viewer"):
        me = ro_api.user(token=user)
        assert_keys(me, ("id", "loginName", "realName"), "A2 user")
        assert me["loginName"] == user
        assert is_id(me["id"]), "A2 id is an encrypted (string) id: %r" % me
        assert isinstance(me["realName"], str) and me["realName"]
    ids = {ro_api.user(token=u)["id"] for u in ("admin", "dev", "viewer")}
    assert len(ids) == 3


def test_bearer_scheme_case_insensitive(ro_api):
    for scheme in ("bearer", "Bearer", "BEARER"):
        r = ro_api.call("GET", "/iam/choerodon/v1/users/self", token=None,
                        headers={"Authorization": scheme + " c7n-demo-admin"})
        assert r.status == 200, (scheme, r.status)
        assert r.json()["loginName"] == "admin"


def test_missing_or_unknown_token_is_401(ro_api):
    p = ro_api.projects()[0]["id"]
    paths = ["/iam/choerodon/v1/users/self", dv(p, "/envs/list_by_active?active=true"),
             dv(p, "/envs/resource_tree_menu")]
    for path in paths:
        assert ro_api.call("GET", path, token=None).status == 401, path
        assert ro_api.call("GET", path, token="c7n-demo-nobody").status == 401, path
        r = ro_api.call("GET", path, token=None, headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
        assert r.status == 401, path


def test_unauthenticated_operation_changes_nothing(api):
    w = World(api)
    inst = w.pick(status="running", clean=False)
    r = api.stop(inst.p, inst.id, token=None)
    assert r.status == 401
    assert api.instance(inst.p, inst.id)["status"] == "running"


def test_self_tenants(ro_api):
    tenants = ro_api.tenants()
    projects = ro_api.projects()
    assert isinstance(tenants, list) and len(tenants) == 1, tenants
    org_id = projects[0]["organizationId"]
    assert org_id in tenants[0].values(), "tenant %r does not carry org id %r" % (tenants[0], org_id)


def test_projects_of_admin(ro_api):
    projects = ro_api.projects()
    assert isinstance(projects, list) and len(projects) == 2, projects
    for pr in projects:
        assert_keys(pr, ("id", "name", "code", "organizationId", "organizationCode", "enabled"),
                    "ProjectDTO")
        assert is_int(pr["id"]), "project ids are plain numbers: %r" % pr
        assert is_int(pr["organizationId"]), pr
        assert isinstance(pr["code"], str) and pr["code"] and isinstance(pr["name"], str), pr
        assert isinstance(pr["organizationCode"], str) and pr["organizationCode"], pr
        assert pr["enabled"] is True, pr
    assert len({pr["id"] for pr in projects}) == 2
    assert len({pr["code"] for pr in projects}) == 2
    assert len({pr["organizationId"] for pr in projects}) == 1, "one organisation"


def test_members_see_their_projects(ro_api):
    admin_ids = {pr["id"] for pr in ro_api.projects()}
    for user in ("dev", "viewer"):
        mine = ro_api.projects(token=user)
        assert mine, "%s is a member of at least one project" % user
        assert {pr["id"] for pr in mine} <= admin_ids


def test_short_lived_token_expires_and_refreshes(api):
    r = api.call("POST", "/_sim/tokens", token=None, body={"user": "admin", "ttl_ms": 500})
    assert r.status == 200, (r.status, r.body)
    tok = r.json()
    assert isinstance(tok.get("access_token"), str) and isinstance(tok.get("refresh_token"), str), tok
    assert api.user(token=tok["access_token"])["loginName"] == "admin"
    p = api.projects()[0]["id"]
    wait_until(lambda: api.call("GET", "/iam/choerodon/v1/users/self",
                                token=tok["access_token"]).status == 403,
               timeout=5, what="the 500 ms token to expire")
    assert_expired(api.call("GET", "/iam/choerodon/v1/users/self", token=tok["access_token"]))
    assert_expired(api.call("GET", dv(p, "/envs/list_by_active?active=true"),
                            token=tok["access_token"]))
    r = grant(api, grant_type="refresh_token", refresh_token=tok["refresh_token"], client_id="x")
    assert r.status == 200, (r.status, r.body)
    fresh = r.json()
    check_token_answer(fresh)
    assert api.user(token=fresh["access_token"])["loginName"] == "admin"


def test_short_lived_token_for_member(api):
    r = api.call("POST", "/_sim/tokens", token=None, body={"user": "dev", "ttl_ms": 60000})
    assert r.status == 200, (r.status, r.body)
    assert api.user(token=r.json()["access_token"])["loginName"] == "dev"


def test_token_ttl_option(sim_factory):
    api = Api(sim_factory("--token-ttl", "1"))
    r = password_grant(api, "dev")
    assert r.status == 200
    body = r.json()
    assert body["expires_in"] == 1, body
    assert api.user(token=body["access_token"])["loginName"] == "dev"
    wait_until(lambda: api.call("GET", "/iam/choerodon/v1/users/self",
                                token=body["access_token"]).status == 403,
               timeout=6, what="the 1 s token to expire")
    assert_expired(api.call("GET", "/iam/choerodon/v1/users/self", token=body["access_token"]))
