"""Connections and concurrency: keep-alive, 200 concurrent connections, slow clients,
concurrent operations."""
import http.client
import json
import socket
import threading
import time
from urllib.parse import urlsplit

from simapi import (EMPTY_SEARCH, assert_accepted, assert_error, dv, ins)

pytest_plugins = ("simapi",)  # the emulator fixtures

ADMIN = {"Authorization": "bearer c7n-demo-admin", "Accept": "application/json"}


def address(api):
    u = urlsplit(api.sim.url)
    return u.hostname, u.port


def exchange(conn, method, path, body=None):
    headers = dict(ADMIN)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    r = conn.getresponse()
    return r.status, r.read(), r


def run_threads(n, target):
    """Runs target(k) in n threads; returns the results (or exceptions) by k."""
    results = [None] * n

    def wrap(k):
        try:
            results[k] = target(k)
        except Exception as e:  # reported by the caller with its index
            results[k] = e

    threads = [threading.Thread(target=wrap, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "threads still blocked after 60 s"
    return results


def test_keep_alive(api, world):
    p = world.main["id"]
    e = world.envs[p][0]["id"]
    page_path = dv(p, "/app_service_instances/info/page_by_options?env_id=%s" % e)
    conn = http.client.HTTPConnection(*address(api), timeout=10)
    conn.connect()
    sock = conn.sock
    local = sock.getsockname()
    for n in range(10):
        st, body, r = exchange(conn, "GET", dv(p, "/envs/list_by_active?active=true"))
        assert st == 200 and isinstance(json.loads(body), list)
        assert (r.getheader("Connection") or "").lower() != "close", r.getheaders()
        st, body, r = exchange(conn, "POST", page_path, body=EMPTY_SEARCH)
        assert st == 200 and "content" in json.loads(body)
        assert conn.sock is sock and sock.getsockname() == local, "connection %d was not reused" % n
    conn.close()


def test_200_concurrent_connections(api, world):
    p = world.main["id"]
    n = 200
    host, port = address(api)
    barrier = threading.Barrier(n, timeout=30)
    before = api.sim.stats()["total"]

    def client(k):
        conn = http.client.HTTPConnection(host, port, timeout=30)
        conn.connect()
        sock = conn.sock
        barrier.wait()   # all 200 connections are open at this point
        a = exchange(conn, "GET", dv(p, "/envs/list_by_active?active=true"))
        b = exchange(conn, "GET", "/iam/choerodon/v1/users/self")
        reused = conn.sock is sock
        conn.close()
        return a[0], b[0], json.loads(b[1])["loginName"], reused

    results = run_threads(n, client)
    bad = [(k, r) for k, r in enumerate(results) if r != (200, 200, "admin", True)]
    assert not bad, bad[:5]
    assert api.sim.stats()["total"] - before == 2 * n


def test_slow_clients_do_not_stall_others(api, world):
    p = world.main["id"]
    e = world.envs[p][0]["id"]
    host, port = address(api)
    idle = socket.create_connection((host, port))
    half_header = socket.create_connection((host, port))
    half_header.sendall(b"GET " + dv(p, "/envs/list_by_active").encode() + b" HTTP/1.1\r\nHost: x\r\n")
    half_body = socket.create_connection((host, port))
    half_body.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: bearer c7n-demo-admin\r\n"
                       "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"searchParam\""
                       % dv(p, "/app_service_instances/info/page_by_options?env_id=%s" % e)).encode())
    try:
        t0 = time.monotonic()

        def quick(k):
            conn = http.client.HTTPConnection(host, port, timeout=3)
            t = time.monotonic()
            st = exchange(conn, "GET", dv(p, "/envs/resource_tree_menu"))[0]
            conn.close()
            return st, time.monotonic() - t

        results = run_threads(30, quick)
        assert all(not isinstance(r, Exception) and r[0] == 200 for r in results), results
        assert max(r[1] for r in results) < 2.0, results
        for _ in range(10):
            took = quick(0)
            assert took[0] == 200 and took[1] < 1.0, took
        assert time.monotonic() - t0 < 6
    finally:
        for s in (idle, half_header, half_body):
            s.close()


def test_slow_response_does_not_stall_others(api, world):
    """A client that reads nothing of a keep-alive stream does not hold up other clients."""
    p = world.main["id"]
    host, port = address(api)
    hog = socket.create_connection((host, port))
    req = ("GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: bearer c7n-demo-admin\r\n\r\n"
           % dv(p, "/envs/resource_tree_menu")).encode()
    hog.sendall(req * 200)   # pipelined requests whose answers are never read
    try:
        for _ in range(10):
            conn = http.client.HTTPConnection(host, port, timeout=3)
            t = time.monotonic()
            assert exchange(conn, "GET", "/iam/choerodon/v1/users/self")[0] == 200
            assert time.monotonic() - t < 1.0
            conn.close()
    finally:
        hog.close()


def test_concurrent_deletes_one_wins(api, world):
    inst = world.pick(status="running", clean=False)
    barrier = threading.Barrier(8, timeout=10)

    def delete(k):
        barrier.wait()
        return api.delete(inst.p, inst.id)

    results = run_threads(8, delete)
    assert not [r for r in results if isinstance(r, Exception)], results
    won = [r for r in results if r.status == 204]
    assert len(won) == 1, [(r.status, r.body) for r in results]
    for r in results:
        if r.status != 204:
            assert_error(r, "error.app.instance.is.operating")
    assert len(api.command_ids(inst.p, inst.id)) >= 1
    assert api.events(inst.p, inst.id)[0]["type"] == "delete"
    assert [ev["type"] for ev in api.events(inst.p, inst.id)].count("delete") == 1


def test_concurrent_operations_on_many_instances(api, world):
    targets = world.find(status="running")
    assert len(targets) >= 2
    barrier = threading.Barrier(len(targets), timeout=10)

    def redeploy(k):
        barrier.wait()
        return api.redeploy(targets[k].p, targets[k].id)

    for r in run_threads(len(targets), redeploy):
        assert not isinstance(r, Exception), r
        assert_accepted(r)
    for inst in targets:
        assert api.instance(inst.p, inst.id)["status"] == "operating"
    api.advance()
    for inst in targets:
        info = api.instance(inst.p, inst.id)
        assert (info["status"], info["commandType"], info["commandStatus"]) == \
            ("running", "update", "success"), info


def test_readers_during_writes(api, world):
    inst = world.pick(status="running")
    stop = threading.Event()
    p, e = inst.p, inst.e
    page_path = dv(p, "/app_service_instances/info/page_by_options?env_id=%s" % e)

    def reader(k):
        n = 0
        while not stop.is_set():
            for path, method, body in ((ins(p, inst.id), "GET", None),
                                       (dv(p, "/envs/resource_tree_menu"), "GET", None),
                                       (page_path, "POST", EMPTY_SEARCH),
                                       (ins(p, inst.id, "/events"), "GET", None)):
                r = api.call(method, path, body=body)
                assert r.status == 200, (path, r.status)
                json.loads(r.body)
                n += 1
        return n

    def writer(k):
        if k < 4:
            return reader(k)
        try:
            for _ in range(5):
                assert_accepted(api.stop(p, inst.id))
                api.advance()
                assert_accepted(api.start(p, inst.id))
                api.advance()
        finally:
            stop.set()
        return "done"

    results = run_threads(5, writer)
    assert results[4] == "done", results
    assert all(isinstance(r, int) and r > 0 for r in results[:4]), results
    assert api.instance(p, inst.id)["status"] == "running"
