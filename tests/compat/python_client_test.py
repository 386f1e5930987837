#!/usr/bin/python3
"""The official Python client (python3-kubernetes) against kube-apiserver-lite."""
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

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all checks passed")
