#!/bin/sh
# ingest_compare.sh - two cpindex builds' ingest speed side by side, in one run.
#
# Usage: bench/ingest_compare.sh OLD_CPINDEX NEW_CPINDEX [CHILDREN] [RUNS] [CALLGRIND_CHILDREN]
#   defaults: 20000 children, 5 runs, no callgrind. cpgen --seed 1 --messiness 1 --bad-rows 5.
#
# Each run ingests every silo into a fresh store with the old build, then with
# the new one (alternating, so load on a shared machine falls on both alike).
# Per silo and overall it prints the medians of: cpu seconds (user + system,
# /usr/bin/time), records per cpu-second, wall seconds (the ingest's own clock,
# commit and sync included) and records per wall-second. With
# CALLGRIND_CHILDREN it also counts each build's instructions per silo under
# valgrind --tool=callgrind on a force of that size (immune to machine load;
# slow: about a minute per 20,000 children per build). Prove that the two
# builds store the same thing with bench/ingest_same.sh.
set -eu
OLD=$1
NEW=$2
N=${3:-20000}
RUNS=${4:-5}
CGN=${5:-}
BUILD=${BUILD:-build}
for b in "$OLD" "$NEW" "$BUILD/cpgen"; do
    [ -x "$b" ] || { echo "ingest_compare: no $b" >&2; exit 2; }
done
OUT=$(mktemp -d "${TMPDIR:-/tmp}/cpi-cmp-XXXXXX")
trap 'rm -rf "$OUT"' EXIT
SILOS="niche miraf mace marac polit soc"
export CPINDEX_USER="${CPINDEX_USER:-$(id -un)}" CPINDEX_REASON="${CPINDEX_REASON:-ingest benchmark on synthetic data}"
echo "ingest_compare: cpgen --seed 1 --children $N --messiness 1 --bad-rows 5; $RUNS runs; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$BUILD/cpgen" --seed 1 --children "$N" --messiness 1 --bad-rows 5 --out "$OUT/force" >/dev/null
: >"$OUT/results"
run=1
while [ "$run" -le "$RUNS" ]; do
    for tag in old new; do
        [ "$tag" = old ] && bin=$OLD || bin=$NEW
        rm -rf "$OUT/db" "$OUT/rejects"
        for s in $SILOS; do
            /usr/bin/time -f "%U %S" -o "$OUT/t" "$bin" --db "$OUT/db" ingest "$s" "$OUT/force/$s" --json \
                --rejects "$OUT/rejects" >"$OUT/j.json"
            python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); u,s=open(sys.argv[2]).read().split()[-2:]; print(sys.argv[3], sys.argv[4], sys.argv[5], j["read"], j["seconds"], float(u)+float(s))' \
                "$OUT/j.json" "$OUT/t" "$tag" "$run" "$s" >>"$OUT/results"
        done
    done
    echo "  run $run of $RUNS done" >&2
    run=$((run + 1))
done
: >"$OUT/cg"
if [ -n "$CGN" ]; then
    if [ "$CGN" = "$N" ]; then
        CGF=$OUT/force
    else
        CGF=$OUT/cgforce
        "$BUILD/cpgen" --seed 1 --children "$CGN" --messiness 1 --bad-rows 5 --out "$CGF" >/dev/null
    fi
    for tag in old new; do
        [ "$tag" = old ] && bin=$OLD || bin=$NEW
        rm -rf "$OUT/db" "$OUT/rejects"
        for s in $SILOS; do
            ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" --db "$OUT/db" ingest "$s" "$CGF/$s" \
                --rejects "$OUT/rejects" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
            echo "$tag $s $ir" >>"$OUT/cg"
        done
        echo "  callgrind $tag done" >&2
    done
fi
python3 - "$OUT/results" "$OUT/cg" "$N" "$CGN" "$OLD" "$NEW" "$SILOS" <<'PY'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[1])]
cg = {}
for l in open(sys.argv[2]):
    t, s, ir = l.split()
    cg[(t, s)] = int(ir) if ir else 0
n, cgn, old, new = sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
silos = sys.argv[7].split()
med = st.median
print(f"ingest, cpgen --seed 1 --children {n} --messiness 1 --bad-rows 5: old = {old}, new = {new}")
print(f"medians of {len(set(r[1] for r in rows))} alternating runs; cpu = user + system seconds; wall = the ingest's own clock")
hdr = f"{'silo':8} {'records':>8} | {'old cpu':>8} {'new cpu':>8} {'old rec/cpu-s':>13} {'new rec/cpu-s':>13} {'x':>5} | {'old wall':>8} {'new wall':>8} {'old rec/s':>9} {'new rec/s':>9}"
if cg:
    hdr += f" | {'old Ir':>14} {'new Ir':>14} {'x':>5}"
print(hdr)
tot = {"old": [], "new": []}
runs = sorted(set(r[1] for r in rows))
def line(name, rec, oc, nc, ow, nw, oi=None, ni=None):
    s = (f"{name:8} {rec:8d} | {oc:8.3f} {nc:8.3f} {rec/oc if oc else 0:13.0f} {rec/nc if nc else 0:13.0f} {oc/nc if nc else 0:5.2f} | "
         f"{ow:8.3f} {nw:8.3f} {rec/ow if ow else 0:9.0f} {rec/nw if nw else 0:9.0f}")
    if cg:
        s += f" | {oi:14,d} {ni:14,d} {oi/ni if ni else 0:5.2f}"
    print(s)
total_rec = 0
for s in silos:
    rs = [r for r in rows if r[2] == s]
    rec = int(rs[0][3])
    total_rec += rec
    v = {t: ([float(r[5]) for r in rs if r[0] == t], [float(r[4]) for r in rs if r[0] == t]) for t in ("old", "new")}
    line(s, rec, med(v["old"][0]), med(v["new"][0]), med(v["old"][1]), med(v["new"][1]),
         cg.get(("old", s), 0), cg.get(("new", s), 0))
per_run = {t: ([sum(float(r[5]) for r in rows if r[0] == t and r[1] == k) for k in runs],
               [sum(float(r[4]) for r in rows if r[0] == t and r[1] == k) for k in runs]) for t in ("old", "new")}
line("overall", total_rec, med(per_run["old"][0]), med(per_run["new"][0]), med(per_run["old"][1]), med(per_run["new"][1]),
     sum(v for (t, s), v in cg.items() if t == "old"), sum(v for (t, s), v in cg.items() if t == "new"))
if cg and cgn != n:
    print(f"(instruction counts Ir on a --children {cgn} force: records differ from the timed force)")
print("target: >= 200,000 records per cpu-second on one core (issue 4)")
PY
