#!/usr/bin/env bash
# Runs python_client_test.py (the official Python client) against a fresh kube-apiserver-lite.
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh" "$2"
if ! /usr/bin/python3 -c 'import kubernetes' 2>/dev/null; then
  echo "SKIPPED: python3-kubernetes is not installed for /usr/bin/python3"
  exit 77
fi
start_server
/usr/bin/python3 "$here/python_client_test.py" "$KUBECONFIG"
