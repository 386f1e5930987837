#!/usr/bin/env bash
# The moose demo (the README's first command runs it through ./dev demo): starts kube-apiserver-lite
# on a free local port, starts moose_operator (it installs its CRD and admission webhook), then
# moose_demo applies manfred and melissa, shows the mooses' states live, shows the webhook denying
# george and lets a herd join. Ctrl-C (or --duration SECONDS) ends it: the demo's mooses are
# released by the operator, then everything this script started is stopped.
#
#   examples/moose_operator/demo.sh BUILD_DIR [--duration SECONDS] [--time-scale F] [--herd N]
set -euo pipefail
build_dir=$(cd "$1" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
duration=() time_scale=0.2 herd=5
while (($#)); do
  case $1 in
    --duration) duration=(--duration "$2"); shift 2 ;;
    --time-scale) time_scale=$2; shift 2 ;;
    --herd) herd=$2; shift 2 ;;
    *) echo "demo.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d /tmp/kube-moose-demo.XXXXXX)
server='' operator=''
stop_all() {
  set +e
  # The operator first (it leaves the mooses as they are), then the server.
  if [[ -n $operator ]]; then
    kill -TERM "$operator" 2>/dev/null
    wait "$operator" 2>/dev/null
  fi
  if [[ -n $server ]]; then
    kill -TERM "$server" 2>/dev/null
    wait "$server" 2>/dev/null
  fi
  rm -rf "$work"
}
trap stop_all EXIT
# Ctrl-C reaches moose_demo (it cleans up and exits); the two servers run in sessions of their own
# so that they outlive it long enough to release the mooses, then stop_all ends them.
trap '' INT

setsid "$build_dir/bin/kube-apiserver-lite" --listen 127.0.0.1:0 --admin-kubeconfig "$work/kubeconfig" \
  >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do [[ -f $work/kubeconfig ]] && break; sleep 0.1; done
if [[ ! -f $work/kubeconfig ]]; then
  cat "$work/server.log" >&2
  echo "demo: kube-apiserver-lite did not start" >&2
  exit 1
fi
export KUBECONFIG=$work/kubeconfig
echo "== $(head -1 "$work/server.log")"
echo "== starting moose_operator (log: one span per state, status patch and admission review)"
setsid "$build_dir/bin/moose_operator" --time-scale "$time_scale" >"$work/operator.log" 2>&1 &
operator=$!

status=0
(trap - INT; exec "$build_dir/bin/moose_demo" --manifests "$here/manifests" --herd "$herd" "${duration[@]}") || status=$?
echo "== the operator's last log records:"
tail -n 8 "$work/operator.log"
if ! kill -0 "$operator" 2>/dev/null; then
  echo "demo: moose_operator exited early:" >&2
  cat "$work/operator.log" >&2
  status=1
fi
exit "$status"
