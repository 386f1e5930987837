#!/usr/bin/env bash
# kubectl (a client nobody here wrote) against kube-apiserver-lite.
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh" "$2"
SOURCE_DIR=$1
if ! command -v kubectl >/dev/null; then
  echo "SKIPPED: kubectl is not installed"
  exit 77
fi
start_server
M=$SOURCE_DIR/examples/moose_operator/manifests
cat >"$WORK/app.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  labels: {app: web}
data:
  greeting: hello
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
YAML
cat >"$WORK/namespace.yaml" <<'YAML'
apiVersion: v1
kind: Namespace
metadata:
  name: team-a
YAML

expect_output "version" "Server Version: v1.34" kubectl version
expect_output "api-resources" "deployments +deploy +apps/v1 +true +Deployment" kubectl api-resources
expect_output "apply -f of several kinds" "deployment.apps/web created" kubectl apply -f "$WORK/app.yaml" -f "$WORK/namespace.yaml"
expect_output "apply again is unchanged" "configmap/web-config unchanged" kubectl apply -f "$WORK/app.yaml"
sed -i 's/replicas: 2/replicas: 3/; s/greeting: hello/greeting: bonjour/' "$WORK/app.yaml"
expect_output "apply a change (strategic merge patch)" "deployment.apps/web configured" kubectl apply -f "$WORK/app.yaml"
expect_output "the change is applied" "^3$" kubectl get deploy web -o jsonpath='{.spec.replicas}'
expect_output "apply of a CRD" "mooses.animals.com created" kubectl apply -f "$M/moose.yaml"
check "wait for condition established" kubectl wait --for=condition=established --timeout=10s crd/mooses.animals.com
expect_output "apply of custom resources" "moose.animals.com/melissa created" kubectl apply -f "$M/manfred.yaml" -f "$M/melissa.yaml"
expect_output "get custom resources: printer columns" "NAME +PHASE +MESSAGE" kubectl get mooses
expect_output "get custom resources by name" "manfred" kubectl get moose manfred
expect_output "get table of deployments" "NAME +READY +UP-TO-DATE +AVAILABLE +AGE" kubectl get deploy
expect_output "get table of pods-like kinds (configmaps)" "web-config +1 " kubectl get cm web-config
expect_output "get -o json" '"kind": "ConfigMap"' kubectl get cm web-config -o json
expect_output "get -o yaml" "greeting: bonjour" kubectl get cm web-config -o yaml
expect_output "get -o name" "^configmap/web-config$" kubectl get cm web-config -o name
expect_output "get -o wide" "SELECTOR" kubectl get deploy -o wide
expect_output "label selector" "web-config" kubectl get cm -l app=web
expect_output "label selector with no match" "No resources found" kubectl get cm -l app=nothing
expect_output "field selector" "web-config" kubectl get cm --field-selector metadata.name=web-config
expect_failure "unsupported field selector" "field label not supported" kubectl get cm --field-selector data.x=y
for i in 1 2 3 4 5; do kubectl create configmap "chunk-$i" --from-literal=i=$i --dry-run=client -o yaml | kubectl apply -f - >/dev/null; done
expect_output "--chunk-size pages through" "chunk-5" kubectl get cm --chunk-size=2
expect_output "patch --type=merge" "configmap/web-config patched" kubectl patch cm web-config --type=merge -p '{"data":{"extra":"1"}}'
expect_output "patch --type=json" "configmap/web-config patched" kubectl patch cm web-config --type=json -p '[{"op":"remove","path":"/data/extra"}]'
expect_output "patch (strategic, default)" "deployment.apps/web patched" kubectl patch deploy web -p '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}}'
expect_output "patched image" "nginx:1.28" kubectl get deploy web -o jsonpath='{.spec.template.spec.containers[0].image}'
expect_output "scale" "deployment.apps/web scaled" kubectl scale deploy web --replicas=1
expect_output "label" "configmap/web-config labeled" kubectl label cm web-config tier=front
expect_output "annotate" "configmap/web-config annotated" kubectl annotate cm web-config note=x
expect_output "get -A" "team-a|kube-system" kubectl get ns -A
expect_output "get -A namespaced" "default +web-config" kubectl get cm -A
# get -w: the initial list, then a change made while watching
(sleep 1.5; kubectl create configmap watched --from-literal=a=b --dry-run=client -o yaml | kubectl apply -f - >/dev/null) &
writer=$!
# (timeout ends kubectl with status 124: what matters is what it printed)
expect_output "get -w sees a change" "watched" sh -c 'timeout 5 kubectl get cm -w; true'
wait "$writer"
expect_output "explain (OpenAPI v3)" "FIELD: image" kubectl explain pods.spec.containers.image
expect_output "create -f with server-side validation" "created" kubectl create -f "$WORK/app.yaml" --namespace team-a
expect_failure "strict validation rejects unknown fields" "unknown field" \
  kubectl apply -f - <<<'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bad"},"dataa":{}}'
expect_output "delete" "configmap \"web-config\" deleted" kubectl delete cm web-config
expect_failure "get deleted" "NotFound|not found" kubectl get cm web-config
expect_output "delete a namespace with contents" "namespace \"team-a\" deleted" kubectl delete ns team-a --timeout=20s
expect_failure "unknown resource type" "the server doesn't have a resource type" kubectl get nosuchthings
expect_output "delete custom resources and the CRD" "deleted" kubectl delete -f "$M/moose.yaml"
# Garbage collection: kubectl delete --cascade=background|foreground|orphan (propagationPolicy in
# the DeleteOptions body) with ownerReferences.
owned_configmap() {  # NAME OWNER UID [FINALIZER]
  kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: $1
  finalizers: [${4:-}]
  ownerReferences:
  - {apiVersion: v1, kind: ConfigMap, name: $2, uid: "$3", blockOwnerDeletion: true}
YAML
}
gone() { for _ in $(seq 1 100); do kubectl get cm "$1" >/dev/null 2>&1 || return 0; sleep 0.1; done; return 1; }
for cascade in background foreground orphan; do
  kubectl create configmap "owner-$cascade" --from-literal=a=b --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  owned_configmap "dep-$cascade" "owner-$cascade" "$(kubectl get cm "owner-$cascade" -o jsonpath='{.metadata.uid}')" \
    "$([[ $cascade == foreground ]] && echo example.com/hold)"
done
expect_output "delete --cascade=background" "deleted" kubectl delete cm owner-background --cascade=background
check "background: the dependent is collected" gone dep-background
expect_output "delete --cascade=foreground (no wait)" "deleted" kubectl delete cm owner-foreground --cascade=foreground --wait=false
expect_output "foreground: the owner waits with its finalizer" "foregroundDeletion" \
  kubectl get cm owner-foreground -o jsonpath='{.metadata.finalizers}'
expect_output "foreground: the blocking dependent is being deleted" "^[0-9T:-]+Z$" \
  kubectl get cm dep-foreground -o jsonpath='{.metadata.deletionTimestamp}'
expect_output "release the dependent" "patched" kubectl patch cm dep-foreground --type=merge -p '{"metadata":{"finalizers":null}}'
check "foreground: the dependent is gone" gone dep-foreground
check "foreground: then the owner" gone owner-foreground
expect_output "delete --cascade=orphan" "deleted" kubectl delete cm owner-orphan --cascade=orphan
check "orphan: the owner is gone" gone owner-orphan
expect_output "orphan: the dependent stays, without the reference" "^dep-orphan:$" \
  kubectl get cm dep-orphan -o jsonpath='{.metadata.name}:{.metadata.ownerReferences}'
# Server-side apply: create, re-apply a changed manifest (dropped fields go), conflicts between
# field managers, --force-conflicts, and moving client-side-applied objects to server-side apply.
cat >"$WORK/ssa.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa
  labels: {app: ssa}
data:
  a: "1"
  b: "2"
YAML
expect_output "apply --server-side creates" "configmap/ssa serverside-applied" kubectl apply --server-side -f "$WORK/ssa.yaml"
sed -i 's/b: "2"/c: "3"/' "$WORK/ssa.yaml"
expect_output "apply --server-side a changed manifest" "configmap/ssa serverside-applied" \
  kubectl apply --server-side -f "$WORK/ssa.yaml"
expect_output "the dropped field is removed, the new one set" '^\{"a":"1","c":"3"\}$' kubectl get cm ssa -o jsonpath='{.data}'
expect_output "managedFields record kubectl's Apply" "^kubectl:Apply$" \
  kubectl get cm ssa -o jsonpath='{range .metadata.managedFields[*]}{.manager}:{.operation}{end}'
ssa_x() { printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-conflict\ndata:\n  x: "%s"\n' "$1"; }
expect_output "--field-manager=a" "serverside-applied" sh -c "$(declare -f ssa_x); ssa_x 1 | kubectl apply --server-side --field-manager=a -f -"
expect_failure "--field-manager=b conflicts with a" 'conflict with "a".*\.data\.x' \
  sh -c "$(declare -f ssa_x); ssa_x 2 | kubectl apply --server-side --field-manager=b -f -"
expect_output "the conflict changed nothing" "^1$" kubectl get cm ssa-conflict -o jsonpath='{.data.x}'
expect_output "--force-conflicts takes ownership" "serverside-applied" \
  sh -c "$(declare -f ssa_x); ssa_x 2 | kubectl apply --server-side --field-manager=b --force-conflicts -f -"
expect_output "b's value and ownership" "^2 b$" \
  kubectl get cm ssa-conflict -o jsonpath='{.data.x} {.metadata.managedFields[?(@.fieldsV1.f:data.f:x)].manager}'
expect_output "client-side apply, then server-side apply (managedFields rewritten by kubectl)" "serverside-applied" \
  kubectl apply --server-side --force-conflicts -f "$WORK/app.yaml"
expect_output "server-side apply of a Deployment keeps its containers" "^web$" \
  kubectl get deploy web -o jsonpath='{.spec.template.spec.containers[*].name}'
expect_output "diff --server-side (dryRun=All)" '^\+  greeting: hallo' sh -c \
  "sed 's/greeting: bonjour/greeting: hallo/' '$WORK/app.yaml' | kubectl diff --server-side --force-conflicts -f - ; true"
finish
