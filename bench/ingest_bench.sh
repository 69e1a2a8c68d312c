#!/bin/sh
# ingest_bench.sh - how fast `cpindex ingest` loads a synthetic force, per silo and overall.
#
# Usage: bench/ingest_bench.sh [BUILD_DIR] [CHILDREN] [SEED] [RUNS]
#   defaults: build, 100000 children (about 1,000,000 records), seed 1, 3 runs.
# Generates one force (cpgen --messiness 1 --bad-rows 5), then RUNS times ingests
# every silo into a fresh store and prints the median records/s per silo and
# overall (records read / ingest seconds as `ingest --json` reports them), the
# store's size on disk and the peak RSS of the largest ingest. Target: >= 200,000
# records/s on one core. Shared machines are noisy: read the median, not one run.
set -eu
BUILD=${1:-build}
N=${2:-100000}
SEED=${3:-1}
RUNS=${4:-3}
CPI="$BUILD/cpindex"
for b in "$CPI" "$BUILD/cpgen"; do
    [ -x "$b" ] || { echo "ingest_bench: no $b; build first (make build)" >&2; exit 2; }
done
OUT=$(mktemp -d "${TMPDIR:-/tmp}/cpi-ingest-bench-XXXXXX")
trap 'rm -rf "$OUT"' EXIT
echo "ingest_bench: cpgen --seed $SEED --children $N --messiness 1 --bad-rows 5 ($(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo))" >&2
"$BUILD/cpgen" --seed "$SEED" --children "$N" --messiness 1 --bad-rows 5 --out "$OUT/force"
export CPINDEX_USER="${CPINDEX_USER:-$(id -un)}" CPINDEX_REASON="${CPINDEX_REASON:-ingest benchmark on synthetic data}"
: >"$OUT/results"
run=1
while [ "$run" -le "$RUNS" ]; do
    rm -rf "$OUT/db" "$OUT/rejects"
    for s in niche miraf mace marac polit soc; do
        /usr/bin/time -f "%M %U %S" -o "$OUT/rss" "$CPI" --db "$OUT/db" ingest "$s" "$OUT/force/$s" --json \
            --rejects "$OUT/rejects" >"$OUT/j.json"
        python3 - "$OUT/j.json" "$s" "$run" "$(tail -n 1 "$OUT/rss")" >>"$OUT/results" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
rss, user, sys_ = sys.argv[4].split()
print(sys.argv[3], sys.argv[2], j["read"], j["seconds"], rss, float(user) + float(sys_))
PY
    done
    echo "  run $run done" >&2
    run=$((run + 1))
done
SIZE=$(( $(du -sk "$OUT/db" | cut -f1) * 1024 ))  # blocks in use
python3 - "$OUT/results" "$SIZE" "$N" "$SEED" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
size, n, seed = int(sys.argv[2]), sys.argv[3], sys.argv[4]
silos = []
for r in rows:
    if r[1] not in silos:
        silos.append(r[1])
print(f"cpindex ingest, cpgen --seed {seed} --children {n} --messiness 1 --bad-rows 5, median of {len(set(r[0] for r in rows))} runs")
print(f"{'silo':8} {'records':>10} {'wall s':>8} {'records/s':>10} {'cpu s':>8} {'rec/cpu-s':>10} {'peak RSS':>12}")
tot_rec = 0
tot_sec = []
for s in silos:
    rs = [r for r in rows if r[1] == s]
    rec = int(rs[0][2])
    secs = statistics.median(float(r[3]) for r in rs)
    rss = max(int(r[4]) for r in rs)
    cpu = statistics.median(float(r[5]) for r in rs)
    tot_rec += rec
    print(f"{s:8} {rec:10d} {secs:8.3f} {rec/secs if secs else 0:10.0f} {cpu:8.2f} {rec/cpu if cpu else 0:10.0f} {rss/1024:8.1f} MiB")
runs = sorted(set(r[0] for r in rows))
per_run = [sum(float(r[3]) for r in rows if r[0] == k) for k in runs]
secs = statistics.median(per_run)
cpu = statistics.median([sum(float(r[5]) for r in rows if r[0] == k) for k in runs])
print(f"{'overall':8} {tot_rec:10d} {secs:8.3f} {tot_rec/secs if secs else 0:10.0f} {cpu:8.2f} {tot_rec/cpu if cpu else 0:10.0f}")
print("wall s: the ingest's own clock (--json seconds) including the commit's sync to disk;")
print("cpu s: user + system time of the process (what one core spent, whatever else the machine ran)")
print(f"store on disk: {size/1048576:.1f} MiB ({size/tot_rec*1e6/1048576/1024:.2f} GiB per million records)")
PY
