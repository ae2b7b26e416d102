"""Faults against the live server: a commit that fails, kill -9 under load, SIGTERM mid-request,
and one busy client on the embedded SQLite default."""

from __future__ import annotations

import itertools
import json
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.e2e.api import World, bearer, hire_body, login, registration, talent_body
from tests.e2e.live import LiveServer

FAIL_MARK = "FAIL-AT-COMMIT"  # spelled out in the SQL below


def _install_commit_fault(server: LiveServer) -> None:
    """A test-only trap in the database: inserting a firm whose name carries FAIL_MARK succeeds,
    and the COMMIT of its transaction fails (a deferred check)."""
    if server.database.postgres:
        server.database.execute(
            "CREATE FUNCTION e2e_fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'injected commit failure'; END $$",
            "CREATE CONSTRAINT TRIGGER e2e_commit_fault AFTER INSERT ON firm "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "WHEN (strpos(NEW.name, 'FAIL-AT-COMMIT') > 0) EXECUTE FUNCTION e2e_fail_at_commit()",
        )
    else:
        # SQLite checks a deferred foreign key at COMMIT: the trigger leaves a dangling one.
        server.database.execute(
            "CREATE TABLE e2e_target (id INTEGER PRIMARY KEY)",
            "CREATE TABLE e2e_fault (ref INTEGER REFERENCES e2e_target (id) "
            "DEFERRABLE INITIALLY DEFERRED)",
            "CREATE TRIGGER e2e_commit_fault AFTER INSERT ON firm WHEN NEW.name LIKE "
            "'%FAIL-AT-COMMIT%' BEGIN INSERT INTO e2e_fault (ref) VALUES (1); END",
        )


def test_a_commit_that_fails_is_not_acknowledged_and_stores_nothing(own_server: LiveServer) -> None:
    _install_commit_fault(own_server)
    with httpx.Client(base_url=own_server.url, timeout=30) as client:
        refused = client.post(
            "/v1/registrations", json=registration("doomed", name=f"Doomed {FAIL_MARK} Ltd")
        )
        assert refused.status_code >= 400, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert login(client, "doomed").status_code == 400  # no account was kept
        assert (
            own_server.database.scalar(
                "SELECT count(*) FROM firm WHERE name LIKE '%FAIL-AT-COMMIT%'"
            )
            == 0
        )
        # The server goes on serving: the next write commits.
        assert client.post("/v1/registrations", json=registration("fine")).status_code == 202
        assert login(client, "fine").status_code == 200
    print(f"failing commit answered {refused.status_code}; 0 rows stored")


class WriteLoad:
    """Registrations of firms (firm + account) and of talents (person + link) with their hires,
    from several clients until stopped; keeps the talent ids acknowledged with a 201."""

    def __init__(self, server: LiveServer, clients: int) -> None:
        self.world = World(server)
        self.firm = self.world.firm()
        self.acknowledged: list[int] = []
        self.transport_errors = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(clients)
        self._futures = [self._pool.submit(self._run, n) for n in range(clients)]

    def _run(self, n: int) -> None:
        headers = self.firm.headers
        with self.world.new_client() as client:
            for i in itertools.count():
                if self._stop.is_set():
                    return
                try:
                    if i % 4 == 3:
                        client.post("/v1/registrations", json=registration(f"load-{n}-{i}"))
                        continue
                    created = client.post("/v1/talents", json=talent_body(), headers=headers)
                    if created.status_code == 201:
                        with self._lock:
                            self.acknowledged.append(created.json()["id"])
                        talent = created.json()["id"]
                        client.post("/v1/employments", json=hire_body(talent), headers=headers)
                except httpx.TransportError:
                    with self._lock:
                        self.transport_errors += 1
                    return  # the server is gone

    def stop(self) -> None:
        self._stop.set()
        for future in self._futures:
            future.result(timeout=60)
        self._pool.shutdown()
        self.world.client.close()


def test_kill_9_under_load_loses_no_acknowledged_write_and_leaves_nothing_half_written(
    own_server: LiveServer,
) -> None:
    load = WriteLoad(own_server, clients=8)
    # Kill once the load is well under way (bounded: a slow machine gets a minute to get there).
    deadline = time.monotonic() + 60
    while len(load.acknowledged) < 80 and time.monotonic() < deadline:
        time.sleep(0.05)
    own_server.kill9()  # every worker at once, mid-load
    load.stop()
    answered = list(load.acknowledged)
    assert len(answered) > 50, "the load did not get going before the kill"

    own_server.start()  # same database
    db = own_server.database
    with httpx.Client(base_url=own_server.url, timeout=30) as client:
        headers = bearer(client, "e2e-province")
        present = sum(
            client.get(f"/v1/talents/{t}", headers=headers).status_code == 200 for t in answered
        )
    half_people = db.scalar(
        "SELECT count(*) FROM talent t WHERE NOT EXISTS "
        "(SELECT 1 FROM talent_firm l WHERE l.talent_id = t.id)"
    )
    half_firms = db.scalar(
        "SELECT count(*) FROM firm f WHERE NOT EXISTS "
        "(SELECT 1 FROM user_account u WHERE u.firm_id = f.id)"
    )
    print(
        f"kill -9: {len(answered)} talent registrations acknowledged, {present} present after "
        f"restart; {load.transport_errors} requests cut off; half-written: {half_people} people "
        f"without a firm, {half_firms} firms without an account"
    )
    assert present == len(answered)
    assert half_people == 0 and half_firms == 0


def _raw_request_head(port: int, body: bytes, token: str) -> socket.socket:
    """A POST whose headers are sent and whose body is not yet: a request in flight."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(
        b"POST /v1/talents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n".encode()
        + b"Connection: close\r\n\r\n"
        + body[:10]
    )
    return sock


def _refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as probe:
            probe.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return probe.recv(64) == b""  # accepted by a closing backlog, but never answered
    except OSError:
        return True


def test_sigterm_finishes_requests_in_flight_refuses_new_ones_and_exits_0(
    own_server: LiveServer,
) -> None:
    world = World(own_server)
    firm = world.firm()
    token = firm.headers["Authorization"].removeprefix("Bearer ")
    body = json.dumps(talent_body()).encode()
    in_flight = _raw_request_head(own_server.port, body, token)
    time.sleep(0.5)  # the server has read the headers: the request is under way
    process = own_server.process
    assert process is not None
    process.send_signal(signal.SIGTERM)
    time.sleep(1.0)
    refused_meanwhile = _refused(own_server.port)
    in_flight.sendall(body[10:])
    answer = b""
    while chunk := in_flight.recv(65536):
        answer += chunk
    in_flight.close()
    code = process.wait(timeout=60)
    own_server.process = None
    status_line = answer.split(b"\r\n", 1)[0]
    print(
        f"SIGTERM: in-flight request answered {status_line!r}, new connection refused: "
        f"{refused_meanwhile}, exit code {code}"
    )
    assert status_line.startswith(b"HTTP/1.1 201"), answer[:300]
    assert refused_meanwhile
    assert code == 0
    world.client.close()


def test_one_client_writing_1000_times_in_a_row_gets_no_5xx(world: World) -> None:
    firm = world.firm()
    statuses: dict[int, int] = {}
    with world.new_client() as client:
        for i in range(1000):
            if i % 2 == 0:
                r = client.post("/v1/talents", json=talent_body(), headers=firm.headers)
            else:
                r = client.post("/v1/registrations", json=registration(f"seq-{i}"))
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
    print(f"1,000 sequential writes: {statuses}")
    assert statuses == {201: 500, 202: 500}  # talents created, sign-ups accepted


def test_eight_concurrent_writers_get_no_5xx(world: World) -> None:
    firm = world.firm()

    def write(_: int) -> list[int]:
        with world.new_client() as client:
            return [
                client.post("/v1/talents", json=talent_body(), headers=firm.headers).status_code
                for _ in range(100)
            ]

    with ThreadPoolExecutor(8) as pool:
        statuses = [s for batch in pool.map(write, range(8)) for s in batch]
    print(f"8 concurrent writers × 100: {sorted(set(statuses))}, {statuses.count(201)} created")
    assert set(statuses) == {201}
