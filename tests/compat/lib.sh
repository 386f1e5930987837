# Shared by the compatibility tests: start kube-apiserver-lite (the real binary) on a free port
# with an admin kubeconfig, and stop it when the script exits.
# Usage: source lib.sh BINARY_DIR; start_server; ... (KUBECONFIG is exported)

BINARY_DIR=${1:?binary dir}
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

start_server() {
  "$BINARY_DIR/bin/kube-apiserver-lite" --listen 127.0.0.1:0 --admin-kubeconfig "$WORK/kubeconfig" \
    --bookmark-interval 2 "$@" 2>"$WORK/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    [[ -s $WORK/kubeconfig ]] && break
    sleep 0.05
  done
  [[ -s $WORK/kubeconfig ]] || { echo "server did not start:"; cat "$WORK/server.log"; exit 1; }
  export KUBECONFIG=$WORK/kubeconfig
}

FAILURES=0
# check DESCRIPTION COMMAND...: run, print, and count a failure if it fails.
check() {
  local what=$1
  shift
  if output=$("$@" 2>&1); then
    echo "ok   $what"
  else
    echo "FAIL $what"
    echo "$output" | sed 's/^/     /' | head -20
    FAILURES=$((FAILURES + 1))
  fi
}
# expect_output DESCRIPTION PATTERN COMMAND...: like check, and the output must match PATTERN (grep -E).
expect_output() {
  local what=$1 pattern=$2
  shift 2
  if output=$("$@" 2>&1) && grep -qE "$pattern" <<<"$output"; then
    echo "ok   $what"
  else
    echo "FAIL $what (expected /$pattern/)"
    echo "$output" | sed 's/^/     /' | head -20
    FAILURES=$((FAILURES + 1))
  fi
}
# expect_failure DESCRIPTION PATTERN COMMAND...: the command must fail with output matching PATTERN.
expect_failure() {
  local what=$1 pattern=$2
  shift 2
  if output=$("$@" 2>&1); then
    echo "FAIL $what (succeeded)"
    FAILURES=$((FAILURES + 1))
  elif grep -qE "$pattern" <<<"$output"; then
    echo "ok   $what"
  else
    echo "FAIL $what (expected /$pattern/)"
    echo "$output" | sed 's/^/     /' | head -20
    FAILURES=$((FAILURES + 1))
  fi
}
finish() {
  if ((FAILURES)); then
    echo "$FAILURES check(s) failed; server log:"
    tail -20 "$WORK/server.log"
    exit 1
  fi
  echo "all checks passed"
}
