"""A small concurrent HTTP client: fixed request count, one keep-alive connection per thread."""

import http.client
import json
import statistics
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    name: str
    latencies_ms: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    wall_s: float = 0.0

    def summary(self):
        data = sorted(self.latencies_ms)
        if not data:
            return {"name": self.name, "requests": 0}

        def pct(p):
            index = min(len(data) - 1, max(0, round(p / 100 * len(data) + 0.5) - 1))
            return round(data[index], 2)

        return {
            "name": self.name,
            "requests": len(data),
            "concurrency_wall_s": round(self.wall_s, 3),
            "throughput_rps": round(len(data) / self.wall_s, 1) if self.wall_s else None,
            "p50_ms": pct(50),
            "p95_ms": pct(95),
            "p99_ms": pct(99),
            "mean_ms": round(statistics.fmean(data), 2),
            "statuses": self.statuses,
        }


def run(name, host, port, make_request, *, requests, concurrency, timeout_s=300):
    """Call `make_request(i) -> (method, path, body, headers)` `requests` times over
    `concurrency` threads; returns a Result. Stops early when `timeout_s` passes."""
    result = Result(name)
    lock = threading.Lock()
    counter = iter(range(requests))
    deadline = time.monotonic() + timeout_s

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            method, path, body, headers = make_request(i)
            payload = json.dumps(body).encode() if body is not None else None
            if payload is not None:
                headers = {**headers, "Content-Type": "application/json"}
            start = time.perf_counter()
            try:
                conn.request(method, path, body=payload, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                status = "error"
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                result.latencies_ms.append(elapsed)
                result.statuses[str(status)] = result.statuses.get(str(status), 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall_s = time.perf_counter() - started
    return result


def request_json(host, port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(host, port, timeout=60)
    payload = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    conn.request(method, path, body=payload, headers=all_headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    try:
        return response.status, json.loads(data or b"null")
    except ValueError:
        return response.status, data.decode(errors="replace")
