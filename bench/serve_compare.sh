#!/bin/sh
# serve_compare.sh - two cpindex builds' child profile as a whole process, each
# with its own `cpindex serve` running, rounds alternating so that both meet
# the same machine (issue 6: <= 10 ms at p99). Prints one JSON line per round
# and build (cpi-query-bench cli), then the medians of each build's p50 and p99.
#
# Usage: bench/serve_compare.sh OLD_CPINDEX NEW_CPINDEX STORE TARGETS [ROUNDS [N]]
#   TARGETS from `cpi-query-bench targets STORE 1000 1`; ROUNDS 3, N 1000 by default.
#   Needs CPINDEX_USER (and CPINDEX_REASON) allowed to run `child` on STORE.
set -eu
[ $# -ge 4 ] || { echo "usage: bench/serve_compare.sh OLD_CPINDEX NEW_CPINDEX STORE TARGETS [ROUNDS [N]]" >&2; exit 2; }
OLD=$1 NEW=$2 DB=$3 TARGETS=$4 ROUNDS=${5:-3} N=${6:-1000}
BENCH=$(dirname "$0")/../build/cpi-query-bench
[ -x "$BENCH" ] || BENCH=build/cpi-query-bench
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
r=1
while [ "$r" -le "$ROUNDS" ]; do
    for which in old new; do
        if [ "$which" = old ]; then CPI=$OLD; else CPI=$NEW; fi
        "$CPI" --db "$DB" serve 2>/dev/null &
        pid=$!
        tries=0
        while [ ! -S "$DB/serve.sock" ] && [ "$tries" -lt 100 ]; do sleep 0.1; tries=$((tries + 1)); done
        line=$("$BENCH" cli "$CPI" "$DB" "$TARGETS" child --limit "$N")
        kill "$pid"
        wait "$pid" || true
        echo "round $r $which $line"
        echo "$which $line" >>"$OUT"
    done
    r=$((r + 1))
done
python3 - "$OUT" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    which, js = line.split(" ", 1)
    runs.setdefault(which, []).append(json.loads(js))
for which in ("old", "new"):
    rs = runs[which]
    print("%s: median over %d rounds of p50 %.2f ms, p99 %.2f ms" % (
        which, len(rs), statistics.median(r["p50_ms"] for r in rs), statistics.median(r["p99_ms"] for r in rs)))
o = statistics.median(r["p99_ms"] for r in runs["old"]); n = statistics.median(r["p99_ms"] for r in runs["new"])
print("p99 new/old: %.2f" % (n / o))
PY
