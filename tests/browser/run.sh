#!/usr/bin/env bash
# tests/browser/run.sh - the browser page in Debian's chromium (issue 18), run by .ci/run:
# a 500-child synthetic force, an officer and an analyst with passwords, `cpindex serve --http`
# on a free port, then page_test.mjs drives headless chromium through log-in, an address's
# warnings, a refusal without a reason and an officer's view. Screenshots go to
# $SHOTS (default build/browser-shots). Needs chromium and nodejs (scripts/install-deps --browser).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SHOTS=${SHOTS:-$BUILD/browser-shots}
for tool in node "${CHROMIUM:-/usr/bin/chromium}"; do
  command -v "$tool" >/dev/null || { echo "browser test: $tool is missing: run scripts/install-deps --browser" >&2; exit 1; }
done
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
"$BUILD/cpgen" --seed 1 --children 500 --out "$work/force" >/dev/null
export CPINDEX_DB="$work/store" CPINDEX_USER=$(id -un) CPINDEX_REASON="browser test on synthetic data"
for s in niche miraf mace marac polit soc; do "$BUILD/cpindex" ingest $s "$work/force/$s" >/dev/null; done
"$BUILD/cpindex" resolve >/dev/null
"$BUILD/cpindex" user add "$CPINDEX_USER" --role admin,supervisor >/dev/null
"$BUILD/cpindex" user add pc1 --role officer >/dev/null
"$BUILD/cpindex" user add analyst1 --role analyst,marac >/dev/null
export OFFICER_PASSWORD="officer passphrase $RANDOM$RANDOM" ANALYST_PASSWORD="analyst passphrase $RANDOM$RANDOM"
printf '%s\n' "$OFFICER_PASSWORD" | "$BUILD/cpindex" user passwd pc1 >/dev/null
printf '%s\n' "$ANALYST_PASSWORD" | "$BUILD/cpindex" user passwd analyst1 >/dev/null
"$BUILD/cpindex" serve --http 127.0.0.1:0 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do grep -q 'answering' "$work/serve.log" && break; sleep 0.1; done
url=$(grep -o 'http://[^/]*' "$work/serve.log" | head -1)
[ -n "$url" ] || { echo "browser test: the server did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }
mkdir -p "$SHOTS"
node tests/browser/page_test.mjs "$url" "$SHOTS"
# every lookup the browser made is in the audit log with its user and reason
unset CPINDEX_SERVE
audit=$("$BUILD/cpindex" audit show --user pc1)
grep -q 'attending a domestic call' <<<"$audit" || { echo "browser test: the officer's lookup is not in the audit log" >&2; exit 1; }
echo "browser test: the officer's lookup is in the audit log with its reason"
