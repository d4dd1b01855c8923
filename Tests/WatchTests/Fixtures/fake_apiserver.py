#!/usr/bin/env python3
"""A fake Kubernetes API server for the watch feed's tests.

Serves recorded API objects (services.json, endpointslices.json, namespaces.json: list
responses as a real API server returns them) and scripted watch streams, on 127.0.0.1 only.

usage: fake_apiserver.py SCENARIO [PORT]     prints "listening PORT" when ready
scenarios:
  events  watches stream ADDED, MODIFIED, DELETED and BOOKMARK events, then stay open
  gone    the first services watch sends one event, then ERROR 410; the relist shows the
          objects as they are after a delete that the stream never reported
  drop    the first services watch sends one event and drops the connection; the second
          must resume from that event's resourceVersion
  unread  the first services watch waits 0.3 s (the list is handed out alone), then modifies
          product-service twice in fields DNS does not read, then adds a service
  expire  services lists come in pages whose continue tokens have expired (410), as when
          the kind changes between pages; a list without a limit answers whole, without
          payment-service (deleted between the pages)
  slow    as events, but every services page after the first comes 0.3 s late, as from a
          large or distant API server: the first page is handed out alone however busy the
          machine that runs the test is
Every scenario pages lists that ask for a limit, as a real API server does.
GET /debug/requests lists the requests seen (for the tests' assertions).
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO = sys.argv[1]
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 0
LOCK = threading.Lock()
REQUESTS = []
SERVICE_WATCHES = [0]


def load(name):
    with open(os.path.join(HERE, name)) as f:
        return json.load(f)


LISTS = {
    "/api/v1/namespaces": load("namespaces.json"),
    "/api/v1/services": load("services.json"),
    "/apis/discovery.k8s.io/v1/endpointslices": load("endpointslices.json"),
}


def service(name, namespace, ip, rv):
    svc = json.loads(json.dumps(LISTS["/api/v1/services"]["items"][0]))
    svc["metadata"].update({"name": name, "namespace": namespace, "resourceVersion": str(rv),
                            "uid": "00000000-0000-0000-0000-%012d" % rv})
    svc["spec"].update({"clusterIP": ip, "clusterIPs": [ip]})
    return svc


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def start_stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def event(self, kind, obj):
        line = (json.dumps({"type": kind, "object": obj}) + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
        self.wfile.flush()

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def hold(self, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline:
            time.sleep(0.05)
        self.end_stream()

    def page(self, path, body, query):
        """The part of a list that `limit` and `continue` (here an offset) ask for."""
        limit = int(query.get("limit", "0"))
        start = int(query.get("continue", "0"))
        if start and SCENARIO == "expire" and path == "/api/v1/services":
            return None
        if limit <= 0:
            return body
        items = body["items"]
        body["items"] = items[start:start + limit]
        if start + limit < len(items):
            body["metadata"]["continue"] = str(start + limit)
        return body

    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        with LOCK:
            REQUESTS.append({"path": url.path, "query": query})
        if url.path == "/debug/requests":
            with LOCK:
                return self.send_json(200, REQUESTS)
        if url.path not in LISTS:
            return self.send_json(404, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                        "status": "Failure", "reason": "NotFound", "code": 404,
                                        "message": "the server could not find the requested resource"})
        if query.get("watch") != "true":
            body = json.loads(json.dumps(LISTS[url.path]))
            if SCENARIO == "gone" and url.path == "/api/v1/services" and SERVICE_WATCHES[0] > 0:
                # The relist after 410: one service was deleted while the stream was gone.
                body["items"] = [i for i in body["items"] if i["metadata"]["name"] != "payment-service"]
                body["metadata"]["resourceVersion"] = "300"
            if SCENARIO == "expire" and url.path == "/api/v1/services" and "limit" not in query:
                body["items"] = [i for i in body["items"] if i["metadata"]["name"] != "payment-service"]
            if SCENARIO == "slow" and url.path == "/api/v1/services" and query.get("continue"):
                time.sleep(0.3)
            page = self.page(url.path, body, query)
            if page is None:
                return self.send_json(410, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                            "status": "Failure", "reason": "Expired", "code": 410,
                                            "message": "The provided continue parameter is too old"})
            return self.send_json(200, page)
        timeout = min(float(query.get("timeoutSeconds", "30")), 30)
        self.start_stream()
        if url.path != "/api/v1/services":
            return self.hold(timeout)
        with LOCK:
            SERVICE_WATCHES[0] += 1
            watch_number = SERVICE_WATCHES[0]
        if SCENARIO in ("events", "slow") and watch_number == 1:
            new = service("new-service", "ecommerce", "10.96.7.7", 201)
            self.event("ADDED", new)
            moved = service("new-service", "ecommerce", "10.96.7.8", 202)
            self.event("MODIFIED", moved)
            gone = json.loads(json.dumps(LISTS["/api/v1/services"]["items"][1]))
            gone["metadata"]["resourceVersion"] = "203"
            self.event("DELETED", gone)
            self.event("BOOKMARK", {"kind": "Service", "apiVersion": "v1",
                                    "metadata": {"resourceVersion": "204"}})
            return self.hold(timeout)
        if SCENARIO == "gone" and watch_number == 1:
            self.event("ADDED", service("early-service", "ecommerce", "10.96.8.1", 201))
            self.event("ERROR", {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                 "message": "too old resource version: 100 (201)", "reason": "Expired",
                                 "code": 410})
            return self.end_stream()
        if SCENARIO == "drop" and watch_number == 1:
            self.event("ADDED", service("before-drop", "ecommerce", "10.96.9.1", 211))
            self.wfile.flush()
            self.close_connection = True
            # Cut the stream without its last chunk: what a dying proxy or apiserver does.
            self.connection.shutdown(2)
            return
        if SCENARIO == "unread" and watch_number == 1:
            time.sleep(0.3)
            product = json.loads(json.dumps(LISTS["/api/v1/services"]["items"][0]))
            product["metadata"]["resourceVersion"] = "201"
            product["metadata"]["labels"]["tier"] = "frontend"
            product["metadata"]["annotations"] = {"example.com/last-seen": "2024-01-01T00:00:01Z"}
            product["spec"]["selector"] = {"app": "product-v2"}
            self.event("MODIFIED", product)
            product["metadata"]["resourceVersion"] = "202"
            self.event("MODIFIED", product)
            self.event("ADDED", service("after-unread", "ecommerce", "10.96.9.9", 203))
            return self.hold(timeout)
        if SCENARIO == "drop" and watch_number == 2:
            self.event("ADDED", service("after-drop", "ecommerce", "10.96.9.2", 212))
        return self.hold(timeout)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    server.daemon_threads = True
    print("listening %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
