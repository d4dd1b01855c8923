"""Helpers shared by bench/churn.py, bench/startup.py and bench/soak.sh: a tiny DNS client,
the bulk import, starting clusterdns with its embedded registry, registry writes over one
keep-alive HTTP connection, /metrics histograms, RSS.

Everything talks to 127.0.0.1 only; processes are started here and stopped by their PID.
"""
import http.client
import json
import os
import random
import re
import socket
import struct
import subprocess
import time
import urllib.request

# The lab's registries allocate cluster IPs from 10.96.0.0/12 (gen-registry.py).
LAB_SERVICE_CIDR = "10.96.0.0/12"


# ---------------------------------------------------------------- DNS

def dns_query(name, qtype=1, qid=None):
    qid = random.randint(0, 65535) if qid is None else qid
    header = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.rstrip(".").split(".")) + b"\0"
    return qid, header + labels + struct.pack(">HH", qtype, 1)


class Resolver:
    """One UDP socket of its own; ask() returns (rcode, ancount, raw answer bytes) or None on
    timeout. Replies to earlier (timed-out) questions are skipped by ID."""

    def __init__(self, port, timeout=0.5):
        self.port = port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))

    def ask(self, name, qtype=1):
        qid, packet = dns_query(name, qtype)
        self.sock.send(packet)
        deadline = time.perf_counter() + self.sock.gettimeout()
        while True:
            try:
                data = self.sock.recv(4096)
            except (socket.timeout, ConnectionRefusedError):
                return None
            if len(data) >= 12 and struct.unpack(">H", data[:2])[0] == qid:
                return data[3] & 0xF, struct.unpack(">H", data[6:8])[0], data
            if time.perf_counter() > deadline:
                return None

    def close(self):
        self.sock.close()


def has_ipv4(reply, ip):
    """Whether an answer holds the A record `ip` (its 4 bytes after the question)."""
    if reply is None or reply[0] != 0 or reply[1] == 0:
        return False
    return socket.inet_aton(ip) in reply[2][12:]


def wire_name(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.rstrip(".").split("."))


# ---------------------------------------------------------------- processes

def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 right now."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                    u.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port found")


def bulk_import(bin_dir, data_dir, files, service_cidr=LAB_SERVICE_CIDR, log=None):
    """registry-dev import; returns (seconds, stderr summary line)."""
    started = time.perf_counter()
    result = subprocess.run(
        [os.path.join(bin_dir, "registry-dev"), "import", "--quiet", "--data-dir", data_dir,
         "--service-cidr", service_cidr, *files],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - started
    if log:
        log.write(result.stdout + result.stderr)
    if result.returncode != 0:
        raise SystemExit(f"registry-dev import failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return took, result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""


def store_size(data_dir):
    """Bytes of registry.sqlite plus its WAL and shared-memory files."""
    total = 0
    for suffix in ("", "-wal", "-shm"):
        path = os.path.join(data_dir, "registry.sqlite" + suffix)
        if os.path.exists(path):
            total += os.path.getsize(path)
    return total


class Server:
    """clusterdns with its embedded registry on free loopback ports, stopped by PID."""

    def __init__(self, bin_dir, data_dir, threads=None, service_cidr=LAB_SERVICE_CIDR, extra=(), cpus=None):
        self.dns_port, self.api_port, self.http_port = free_port(), free_port(), free_port()
        self.data_dir = data_dir
        zones = os.path.join(data_dir, "zones")
        os.makedirs(zones, exist_ok=True)
        argv = [os.path.join(bin_dir, "clusterdns"), "--dns", f"127.0.0.1:{self.dns_port}",
                "--api", f"127.0.0.1:{self.api_port}", "--http", f"127.0.0.1:{self.http_port}",
                "--data-dir", data_dir, "--zones-dir", zones, "--upstream", "none",
                "--service-cidr", service_cidr, "--lameduck", "0", *extra]
        if threads:
            argv += ["--threads", str(threads)]
        if cpus is not None:
            argv = ["taskset", "-c", str(cpus)] + argv
        self.log_path = os.path.join(data_dir, "server.log")
        self.log = open(self.log_path, "w")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=self.log)
        self.pid = self.process.pid

    @property
    def api(self):
        return f"http://127.0.0.1:{self.api_port}"

    def wait_answer(self, name="kube-dns.kube-system.svc.cluster.local", ip="10.96.0.10", limit=600.0, every=0.01):
        """Seconds from the process start to the first answer holding `ip` for `name`."""
        resolver = Resolver(self.dns_port, timeout=0.2)
        try:
            while time.perf_counter() - self.started < limit:
                if self.process.poll() is not None:
                    raise SystemExit(f"clusterdns exited with {self.process.returncode}:\n{self.log_tail()}")
                if has_ipv4(resolver.ask(name), ip):
                    return time.perf_counter() - self.started
                time.sleep(every)
        finally:
            resolver.close()
        raise SystemExit(f"clusterdns did not answer {name} within {limit} s:\n{self.log_tail()}")

    def log_tail(self, lines=20):
        self.log.flush()
        with open(self.log_path) as f:
            return "".join(f.readlines()[-lines:])

    def alive(self):
        return self.process.poll() is None

    def rss_kb(self):
        return rss_kb(self.pid)

    def stop(self, timeout=30):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode


def rss_kb(pid, field="VmRSS"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


# ---------------------------------------------------------------- registry writes

class Registry:
    """Writes over one keep-alive HTTP/1.1 connection (reopened after an error)."""

    def __init__(self, base):
        m = re.match(r"http://([^:/]+):(\d+)", base)
        self.host, self.port = m.group(1), int(m.group(2))
        self.conn = None

    def call(self, method, path, body=None, content_type="application/json"):
        data = None if body is None else json.dumps(body).encode()
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                headers = {"Content-Type": content_type} if data is not None else {}
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                text = response.read()
                return response.status, (json.loads(text) if text else None)
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def ensure_namespace(self, name):
        status, _ = self.call("POST", "/api/v1/namespaces", {"metadata": {"name": name}})
        if status not in (201, 409):
            raise SystemExit(f"cannot create namespace {name}: HTTP {status}")

    # Services
    def create_service(self, ns, name, ports=((("http", 80)),), cluster_ip=None, external=None):
        spec = {"ports": [{"name": n, "port": p} for n, p in ports]}
        if cluster_ip:
            spec["clusterIP"] = cluster_ip
        if external:
            spec = {"type": "ExternalName", "externalName": external}
        return self.call("POST", f"/api/v1/namespaces/{ns}/services", {"metadata": {"name": name}, "spec": spec})

    def patch_service(self, ns, name, patch):
        return self.call("PATCH", f"/api/v1/namespaces/{ns}/services/{name}", patch,
                         content_type="application/merge-patch+json")

    def delete_service(self, ns, name):
        return self.call("DELETE", f"/api/v1/namespaces/{ns}/services/{name}")

    # EndpointSlices
    def put_slice(self, ns, name, service, endpoints, create=False):
        body = {"metadata": {"name": name, "labels": {"kubernetes.io/service-name": service}},
                "addressType": "IPv4",
                "endpoints": [{"addresses": [ip], "hostname": host, "conditions": {"ready": True}} for host, ip in endpoints],
                "ports": [{"name": "tcp", "port": 5432, "protocol": "TCP"}]}
        path = f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices"
        if create:
            return self.call("POST", path, body)
        return self.call("PUT", f"{path}/{name}", body)

    def delete_slice(self, ns, name):
        return self.call("DELETE", f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices/{name}")

    def close(self):
        if self.conn:
            self.conn.close()


# ---------------------------------------------------------------- /metrics

def scrape(http_port):
    with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=10) as response:
        return response.read().decode()


def histogram(text, name):
    """{le: cumulative count} plus sum and count of a Prometheus histogram (labels ignored,
    series with the same `le` added up)."""
    buckets, total, count = {}, 0.0, 0.0
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = re.match(rf'{re.escape(name)}_bucket\{{(?:.*,)?le="([^"]+)"(?:,.*)?\}} ([0-9.e+-]+)', line)
        if m:
            le = float("inf") if m.group(1) == "+Inf" else float(m.group(1))
            buckets[le] = buckets.get(le, 0.0) + float(m.group(2))
            continue
        m = re.match(rf"{re.escape(name)}_sum(?:\{{.*\}})? ([0-9.e+-]+)", line)
        if m:
            total += float(m.group(1))
        m = re.match(rf"{re.escape(name)}_count(?:\{{.*\}})? ([0-9.e+-]+)", line)
        if m:
            count += float(m.group(1))
    return {"buckets": buckets, "sum": total, "count": count}


def histogram_delta(after, before):
    return {"buckets": {le: c - before["buckets"].get(le, 0.0) for le, c in after["buckets"].items()},
            "sum": after["sum"] - before["sum"], "count": after["count"] - before["count"]}


def histogram_quantile(h, q):
    """Prometheus' histogram_quantile: linear inside the bucket; None without observations."""
    items = sorted(h["buckets"].items())
    if not items or items[-1][1] <= 0:
        return None
    rank = q * items[-1][1]
    lower_le, lower_count = 0.0, 0.0
    for le, count in items:
        if count >= rank:
            if le == float("inf"):
                return lower_le
            if count == lower_count:
                return le
            return lower_le + (le - lower_le) * (rank - lower_count) / (count - lower_count)
        lower_le, lower_count = le, count
    return items[-1][0]


# ---------------------------------------------------------------- statistics

def quantile_ms(h, q):
    """histogram_quantile in ms as text; a quantile in the +Inf bucket is `>=<top bound>`."""
    value = histogram_quantile(h, q)
    if value is None:
        return "n/a"
    finite = [le for le in h["buckets"] if le != float("inf")]
    items = sorted(h["buckets"].items())
    if finite and items[-1][0] == float("inf") and q * items[-1][1] > h["buckets"].get(max(finite), 0.0):
        return f">={max(finite) * 1000:.0f}"
    return f"{value * 1000:.2f}"


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))
    return ordered[index]


def _skip_name(data, offset):
    while offset < len(data):
        length = data[offset]
        if length == 0:
            return offset + 1
        if length & 0xC0 == 0xC0:
            return offset + 2
        offset += 1 + length
    return offset


def _read_name(data, offset, depth=0):
    labels = []
    while offset < len(data) and depth < 20:
        length = data[offset]
        if length == 0:
            break
        if length & 0xC0 == 0xC0:
            pointer = ((length & 0x3F) << 8) | data[offset + 1]
            labels.append(_read_name(data, pointer, depth + 1))
            break
        labels.append(data[offset + 1:offset + 1 + length].decode("ascii", "replace"))
        offset += 1 + length
    return ".".join(label for label in labels if label)


def answers(reply):
    """The answer section of a reply as (type, value): A as dotted quad, CNAME as a name."""
    if reply is None:
        return []
    data = reply[2]
    qdcount, ancount = struct.unpack(">HH", data[4:8])
    offset = 12
    for _ in range(qdcount):
        offset = _skip_name(data, offset) + 4
    out = []
    for _ in range(ancount):
        offset = _skip_name(data, offset)
        if offset + 10 > len(data):
            break
        rtype, _, _, length = struct.unpack(">HHIH", data[offset:offset + 10])
        offset += 10
        rdata = data[offset:offset + length]
        if rtype == 1 and length == 4:
            out.append((1, socket.inet_ntoa(rdata)))
        elif rtype == 5:
            out.append((5, _read_name(data, offset)))
        offset += length
    return out
