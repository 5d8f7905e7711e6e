#!/usr/bin/env bash
# The package as a user installs it: `npm pack`, then `npm install -g` of the tarball into a clean prefix, then the
# installed `siesta --help` and `siesta serve` must answer (the control API's state and the gateway's model list).
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
serve_pid=
cleanup() {
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

npm pack --silent --pack-destination "$work" >/dev/null
npm install -g --prefix "$work/prefix" "$work"/siesta-*.tgz --no-audit --no-fund >/dev/null
siesta="$work/prefix/bin/siesta"

"$siesta" --help | grep -q '^Usage: siesta <command>' || { echo "FAIL: the installed siesta --help" >&2; exit 1; }

"$siesta" serve --data-dir "$work/data" --gateway 127.0.0.1:0 --control 127.0.0.1:0 >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 120); do
  grep -q '^  dashboard:' "$work/serve.log" && break
  kill -0 "$serve_pid" 2>/dev/null || break
  sleep 0.25
done
control=$(sed -n 's#^  dashboard: \(http://[^/]*\)/login.*#\1#p' "$work/serve.log")
gateway=$(sed -n 's#^  gateway:   \(http://[^ ]*\).*#\1#p' "$work/serve.log")
if [ -z "$control" ] || [ -z "$gateway" ]; then
  echo "FAIL: the installed siesta serve did not start; its output:" >&2
  cat "$work/serve.log" >&2
  exit 1
fi
grep -q 'dashboard is not built' "$work/serve.log" && { echo "FAIL: the package lacks the dashboard" >&2; exit 1; }
curl -fsS -H "Authorization: Bearer $(cat "$work/data/token")" "$control/api/state" | grep -q '"models":' \
  || { echo "FAIL: the installed daemon's control API" >&2; exit 1; }
curl -fsS "$gateway/v1/models" | grep -q '"object":"list"' || { echo "FAIL: the installed daemon's gateway" >&2; exit 1; }
echo "npm pack -> npm install -g -> siesta --help and siesta serve answer ($control, $gateway)"
