#!/usr/bin/env bash
# A CRD derived from C++ structs (examples/crd_derive.cc) through kubectl: applied, established,
# its objects listed with the declared printer columns, scaled, and validated by the schema.
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh" "$2"
if ! command -v kubectl >/dev/null; then
  echo "SKIPPED: kubectl is not installed"
  exit 77
fi
CRD_DERIVE=$BINARY_DIR/bin/crd_derive
[[ -x $CRD_DERIVE ]] || { echo "missing $CRD_DERIVE (build the crd_derive target)"; exit 1; }
start_server

"$CRD_DERIVE" >"$WORK/crd.yaml"
"$CRD_DERIVE" --example >"$WORK/example.yaml"
expect_output "crd_derive | kubectl apply -f -" "configmapgenerators.example.kube-cpp.dev created" \
  sh -c "\"$CRD_DERIVE\" | kubectl apply -f -"
check "wait for condition established" kubectl wait --for=condition=established --timeout=10s \
  crd/configmapgenerators.example.kube-cpp.dev
expect_output "apply again is unchanged" "unchanged" kubectl apply -f "$WORK/crd.yaml"
expect_output "apply an object" "configmapgenerator.example.kube-cpp.dev/greetings created" \
  kubectl apply -f "$WORK/example.yaml"
expect_output "get: printer columns" "NAME +MODE +REPLICAS +READY +AGE" kubectl get configmapgenerators
expect_output "get by short name: the row" "greetings +Merge +2 " kubectl get cmg
expect_output "category all" "configmapgenerator.example.kube-cpp.dev/greetings" kubectl get all -o name
expect_output "scale subresource" "scaled" kubectl scale cmg greetings --replicas=3
expect_output "scaled" "^3$" kubectl get cmg greetings -o jsonpath='{.spec.replicas}'
expect_output "explain uses the derived descriptions" "Keys and values of every generated ConfigMap" \
  kubectl explain configmapgenerators.spec.content
sed 's/mode: Merge/mode: Replace/; s/name: greetings/name: bad-mode/' "$WORK/example.yaml" >"$WORK/bad_mode.yaml"
expect_failure "enum value not allowed" 'Unsupported value: "Replace"' kubectl apply -f "$WORK/bad_mode.yaml"
sed 's/replicas: 2/replicas: many/; s/name: greetings/name: bad-replicas/' "$WORK/example.yaml" >"$WORK/bad_replicas.yaml"
expect_failure "wrong type" "spec.replicas" kubectl apply -f "$WORK/bad_replicas.yaml"
sed 's/^  mode: Merge$//; s/name: greetings/name: defaulted/' "$WORK/example.yaml" >"$WORK/defaulted.yaml"
expect_output "apply without the defaulted member" "created" kubectl apply -f "$WORK/defaulted.yaml"
expect_output "the default is applied" "^Copy$" kubectl get cmg defaulted -o jsonpath='{.spec.mode}'
expect_output "delete the CRD" "deleted" kubectl delete -f "$WORK/crd.yaml"
finish
