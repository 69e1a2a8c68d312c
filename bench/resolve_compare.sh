#!/usr/bin/env bash
# resolve_compare.sh - two builds' resolve side by side on one ingested store: each round resolves a
# fresh copy of STORE with the old build and the new one (the order alternates between rounds, so
# neither always runs on a warmer machine), timed by /usr/bin/time; round 1 also exports both
# results and scores them with cpi-eval against TRUTH when one is given. Prints every run, then the
# medians of wall and user time and their ratio.
#
# Usage: bench/resolve_compare.sh OLD_BUILD NEW_BUILD STORE [ROUNDS [TRUTH]]
#   OLD_BUILD, NEW_BUILD  build directories holding cpindex-full (and cpi-eval for TRUTH)
#   STORE                 an ingested store (it is copied, never changed); needs the caller as analyst
#                         for the export (the store's creator is its admin: add the role first)
#   ROUNDS                default 3
#   TRUTH                 cpgen's DIR/truth.csv: writes old.eval and new.eval beside the copies
# Example (1M records): cpgen --seed 1 --children 100000 --messiness 1 --out f; ingest every silo into
#   f.db; bench/resolve_compare.sh /tmp/old-build build f.db 3 f/truth.csv
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
OLD=$(cd "$1" && pwd) NEW=$(cd "$2" && pwd) STORE=$3 ROUNDS=${4:-3} TRUTH=${5:-}
W=$(mktemp -d "${TMPDIR:-/tmp}/cpi-rcmp-XXXXXX")
trap 'rm -rf "$W/db"' EXIT
export CPINDEX_USER="${CPINDEX_USER:-$(id -un)}" CPINDEX_REASON="side by side resolve timing on synthetic data"
: >"$W/times"
for round in $(seq 1 "$ROUNDS"); do
    order="old new"
    [ $((round % 2)) = 0 ] && order="new old"
    for b in $order; do
        B=$OLD
        [ "$b" = new ] && B=$NEW
        rm -rf "$W/db" && cp -a "$STORE" "$W/db"
        load=$(cut -d' ' -f1 /proc/loadavg)
        /usr/bin/time -f "$b %e %U %M" -a -o "$W/times" "$B/cpindex-full" --db "$W/db" resolve --json >"$W/$b.json"
        echo "round $round $b: $(tail -1 "$W/times" | awk '{printf "%s s wall, %s s user, %s KB peak", $2, $3, $4}'), load $load"
        if [ "$round" = 1 ] && [ -n "$TRUTH" ]; then
            "$B/cpindex-full" --db "$W/db" export entities --out "$W/$b.csv" >/dev/null
            "$NEW/cpi-eval" --truth "$TRUTH" --entities "$W/$b.csv" >"$W/$b.eval"
            grep -E '^  (person|location) ' "$W/$b.eval" | sed "s/^/  $b eval: /"
        fi
    done
done
python3 - "$W/times" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    b, wall, user, _ = line.split()
    runs.setdefault(b, []).append((float(wall), float(user)))
med = {b: (statistics.median(w for w, _ in r), statistics.median(u for _, u in r)) for b, r in runs.items()}
for b in ("old", "new"):
    print(f"{b}: median {med[b][0]:.1f} s wall, {med[b][1]:.1f} s user over {len(runs[b])} runs")
print(f"new / old: wall {med['new'][0] / med['old'][0]:.3f}, user {med['new'][1] / med['old'][1]:.3f}")
EOF
echo "work directory (evaluations, reports): $W"
