#!/usr/bin/python3
"""The official Python client (python3-kubernetes) against kube-apiserver-lite."""
import json
import sys
import threading
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

config.load_kube_config(config_file=sys.argv[1])
core = client.CoreV1Api()
failures = []


def check(what, condition):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


names = [ns.metadata.name for ns in core.list_namespace().items]
check("list namespaces", "default" in names and "kube-system" in names)

body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-cm", labels={"app": "py"}), data={"a": "1"})
created = core.create_namespaced_config_map("default", body)
check("create", created.metadata.name == "py-cm" and created.metadata.resource_version)

try:
    core.create_namespaced_config_map("default", body)
    check("409 on duplicate create", False)
except ApiException as e:
    check("409 on duplicate create", e.status == 409)

try:
    core.read_namespaced_config_map("no-such-cm", "default")
    check("404 on missing", False)
except ApiException as e:
    check("404 on missing", e.status == 404)

patched = core.patch_namespaced_config_map("py-cm", "default", {"data": {"b": "2"}})
check("patch (strategic merge)", patched.data == {"a": "1", "b": "2"})

listed = core.list_namespaced_config_map("default", label_selector="app=py")
check("list with a label selector", [i.metadata.name for i in listed.items] == ["py-cm"])

pod = client.V1Pod(metadata=client.V1ObjectMeta(name="py-pod"),
                   spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="busybox")]))
core.create_namespaced_pod("default", pod)
check("pod created with status Pending", core.read_namespaced_pod("py-pod", "default").status.phase == "Pending")


def change_later():
    time.sleep(1)
    core.create_namespaced_config_map(
        "default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-watched", labels={"app": "py"})))


threading.Thread(target=change_later).start()
seen = []
w = watch.Watch()
for event in w.stream(core.list_namespaced_config_map, "default", label_selector="app=py", timeout_seconds=4):
    seen.append((event["type"], event["object"].metadata.name))
check("watch with timeout: initial and new objects", ("ADDED", "py-cm") in seen and ("ADDED", "py-watched") in seen)

core.delete_namespaced_pod("py-pod", "default", grace_period_seconds=0)
core.delete_namespaced_config_map("py-cm", "default")
core.delete_namespaced_config_map("py-watched", "default")
check("deleted", core.list_namespaced_config_map("default", label_selector="app=py").items == [])

# Server-side apply (application/apply-patch+yaml with a JSON body) and its conflicts. This client
# version has no apply helper: the generic call_api sends it.
def apply_config_map(name, data, manager, force=False):
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}
    query = [("fieldManager", manager)] + ([("force", "true")] if force else [])
    return core.api_client.call_api(
        "/api/v1/namespaces/{namespace}/configmaps/{name}", "PATCH",
        path_params={"namespace": "default", "name": name}, query_params=query,
        header_params={"Content-Type": "application/apply-patch+yaml", "Accept": "application/json"},
        body=json.dumps(body), response_type="V1ConfigMap", auth_settings=["BearerToken"],
        _return_http_data_only=True)


applied = apply_config_map("py-ssa", {"x": "1"}, "py-a")
check("server-side apply creates", applied.data == {"x": "1"} and
      [(m.manager, m.operation) for m in applied.metadata.managed_fields] == [("py-a", "Apply")])
try:
    apply_config_map("py-ssa", {"x": "2"}, "py-b")
    check("server-side apply conflict", False)
except ApiException as e:
    body = json.loads(e.body)
    check("server-side apply conflict", e.status == 409 and body["details"]["causes"][0]["field"] == ".data.x")
check("server-side apply with force", apply_config_map("py-ssa", {"x": "2"}, "py-b", force=True).data == {"x": "2"})
core.delete_namespaced_config_map("py-ssa", "default")

# Garbage collection: a dependent of a deleted owner is collected.
owner = core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-owner")))
core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(
    name="py-dependent", owner_references=[client.V1OwnerReference(
        api_version="v1", kind="ConfigMap", name="py-owner", uid=owner.metadata.uid)])))
core.delete_namespaced_config_map("py-owner", "default", propagation_policy="Background")
deadline = time.time() + 10
while time.time() < deadline and "py-dependent" in [
        i.metadata.name for i in core.list_namespaced_config_map("default").items]:
    time.sleep(0.05)
check("garbage collection of a dependent", "py-dependent" not in [
    i.metadata.name for i in core.list_namespaced_config_map("default").items])

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all checks passed")
