"""Drives the registry with the official Kubernetes Python client: create, list, watch, update
conflict and validation errors for services and endpoint slices. Exits non-zero on any mismatch.

Usage: python3 kubernetes_client_check.py http://127.0.0.1:PORT
"""
import sys
import threading
import time

from kubernetes import client, watch
from kubernetes.client.rest import ApiException

configuration = client.Configuration()
configuration.host = sys.argv[1]
api = client.ApiClient(configuration)
core = client.CoreV1Api(api)
discovery = client.DiscoveryV1Api(api)


def service(name, port=80):
    return client.V1Service(
        metadata=client.V1ObjectMeta(name=name, labels={"app": name}),
        spec=client.V1ServiceSpec(
            selector={"app": name},
            ports=[client.V1ServicePort(name="http", port=port, target_port=8080, protocol="TCP")],
        ),
    )


def expect(condition, message):
    if not condition:
        print("FAIL: " + message)
        sys.exit(1)


# Discovery, as kubectl and client-go read it first.
versions = client.CoreApi(api).get_api_versions()
expect(versions.versions == ["v1"], "api versions %r" % versions.versions)
groups = client.ApisApi(api).get_api_versions()
expect([g.name for g in groups.groups] == ["discovery.k8s.io"], "api groups")

created = core.create_namespaced_service("default", service("pyweb"))
expect(created.spec.cluster_ip.startswith("10.96."), "cluster IP %s" % created.spec.cluster_ip)
listed = core.list_namespaced_service("default")
expect([s.metadata.name for s in listed.items] == ["pyweb"], "service list")
expect(len(core.list_service_for_all_namespaces().items) == 1, "all-namespace list")
start = listed.metadata.resource_version

# Watch services from the list's version while another thread writes.
def churn():
    time.sleep(0.5)
    core.create_namespaced_service("default", service("pyweb2", 81))
    core.delete_namespaced_service("pyweb2", "default")

threading.Thread(target=churn).start()
events = []
w = watch.Watch()
for event in w.stream(core.list_namespaced_service, "default", resource_version=start, timeout_seconds=10):
    events.append((event["type"], event["object"].metadata.name))
    if len(events) == 2:
        w.stop()
expect(events == [("ADDED", "pyweb2"), ("DELETED", "pyweb2")], "service watch %r" % events)

# Endpoint slices: create, list by label, watch a change.
slice_ = client.V1EndpointSlice(
    address_type="IPv4",
    metadata=client.V1ObjectMeta(name="pyweb-1", labels={"kubernetes.io/service-name": "pyweb"}),
    endpoints=[client.V1Endpoint(addresses=["10.1.2.3"], conditions=client.V1EndpointConditions(ready=True))],
    ports=[client.DiscoveryV1EndpointPort(name="http", port=8080, protocol="TCP")],
)
discovery.create_namespaced_endpoint_slice("default", slice_)
slices = discovery.list_namespaced_endpoint_slice("default", label_selector="kubernetes.io/service-name=pyweb")
expect([s.endpoints[0].addresses for s in slices.items] == [["10.1.2.3"]], "slice list")

def move():
    time.sleep(0.5)
    current = discovery.read_namespaced_endpoint_slice("pyweb-1", "default")
    current.endpoints[0].addresses = ["10.1.2.4"]
    discovery.replace_namespaced_endpoint_slice("pyweb-1", "default", current)

threading.Thread(target=move).start()
seen = []
w = watch.Watch()
for event in w.stream(discovery.list_endpoint_slice_for_all_namespaces,
                      resource_version=slices.metadata.resource_version, timeout_seconds=10):
    seen.append((event["type"], event["object"].endpoints[0].addresses))
    w.stop()
expect(seen == [("MODIFIED", ["10.1.2.4"])], "slice watch %r" % seen)

# Optimistic concurrency: an update with a stale resourceVersion is a 409 Conflict.
fresh = core.read_namespaced_service("pyweb", "default")
fresh.metadata.labels["tier"] = "front"
core.replace_namespaced_service("pyweb", "default", fresh)
try:
    core.replace_namespaced_service("pyweb", "default", fresh)
    expect(False, "stale update accepted")
except ApiException as error:
    expect(error.status == 409 and "Conflict" in error.body, "stale update: %s %s" % (error.status, error.body))

# Validation: 422 with the Status reason Invalid.
try:
    core.create_namespaced_service("default", service("bad", port=0))
    expect(False, "invalid service accepted")
except ApiException as error:
    expect(error.status == 422 and '"reason":"Invalid"' in error.body, "invalid: %s %s" % (error.status, error.body))

print("kubernetes client: ok")
