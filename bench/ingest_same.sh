#!/bin/sh
# ingest_same.sh - does a new cpindex build store exactly what an old one did?
#
# Usage: bench/ingest_same.sh OLD_CPINDEX NEW_CPINDEX [CHILDREN|FORCE_DIR] [BUILD_DIR]
#   default 2000 children (cpgen --seed 1 --messiness 1 --bad-rows 5); a folder
#   that holds a cpgen force is used as it is.
#
# Runs the same steps with each binary, with time() fixed (bench/fixed_time.c
# as LD_PRELOAD) so ingest times, audit entries and reject-file names agree:
#   1. ingest every silo into a fresh store;
#   2. ingest every silo again (every record unchanged);
#   3. ingest a copy of polit/ and miraf/ with every 5th row's last field
#      changed (records replaced: history, key index removals);
#   4. stats --json, resolve, export entities.
# Then compares, and fails on any difference: each ingest's --json summary
# (less its clock), every pair of every LMDB database (build/cpi-store-dump:
# records, key index, counters, audit log), the reject files, stats and the
# exported entities. Prints "same" and exits 0 when all agree.
# SAME_IGNORE_KEY_KINDS (see below) compares across a deliberate key-index change.
set -eu
OLD=$1
NEW=$2
ARG=${3:-2000}
BUILD=${4:-build}
for b in "$OLD" "$NEW" "$BUILD/cpgen" "$BUILD/cpi-store-dump"; do
    [ -x "$b" ] || { echo "ingest_same: no $b" >&2; exit 2; }
done
OUT=$(mktemp -d "${TMPDIR:-/tmp}/cpi-same-XXXXXX")
trap 'rm -rf "$OUT"' EXIT
HERE=$(cd "$(dirname "$0")" && pwd)
cc -shared -fPIC -O2 -o "$OUT/fixed_time.so" "$HERE/fixed_time.c"
if [ -d "$ARG" ]; then
    FORCE=$ARG
else
    FORCE=$OUT/force
    "$BUILD/cpgen" --seed 1 --children "$ARG" --messiness 1 --bad-rows 5 --out "$FORCE" >/dev/null
fi
# the changed copies: every 5th data row's last field gets a suffix
python3 - "$FORCE" "$OUT/changed" <<'PY'
import csv, os, sys
src, dst = sys.argv[1], sys.argv[2]
for silo in ("polit", "miraf"):
    os.makedirs(os.path.join(dst, silo))
    for name in sorted(os.listdir(os.path.join(src, silo))):
        with open(os.path.join(src, silo, name), newline="", encoding="utf-8", errors="surrogateescape") as f:
            rows = list(csv.reader(f))
        for i, r in enumerate(rows[1:], 1):
            if i % 5 == 0 and r:
                r[-1] = r[-1] + " (amended)"
        with open(os.path.join(dst, silo, name), "w", newline="", encoding="utf-8", errors="surrogateescape") as f:
            csv.writer(f).writerows(rows)
PY
export CPINDEX_USER="$(id -un)" CPINDEX_REASON="comparing two builds on synthetic data" CPI_FIXED_TIME=1700000000
run() { # run TAG BINARY
    tag=$1
    bin=$2
    d=$OUT/$tag
    mkdir -p "$d"
    : >"$d/ingest.json"
    for pass in 1 2; do
        for s in niche miraf mace marac polit soc; do
            LD_PRELOAD="$OUT/fixed_time.so" "$bin" --db "$d/db" ingest "$s" "$FORCE/$s" --json --rejects "$d/rejects" \
                | python3 -c 'import json,sys; j=json.load(sys.stdin); j.pop("seconds",None); print(json.dumps(j,sort_keys=True))' \
                | sed "s|$FORCE|FORCE|g; s|$d|DIR|g" >>"$d/ingest.json"
        done
    done
    for s in polit miraf; do
        LD_PRELOAD="$OUT/fixed_time.so" "$bin" --db "$d/db" ingest "$s" "$OUT/changed/$s" --json --rejects "$d/rejects" \
            | python3 -c 'import json,sys; j=json.load(sys.stdin); j.pop("seconds",None); print(json.dumps(j,sort_keys=True))' \
            | sed "s|$OUT/changed|CHANGED|g; s|$d|DIR|g" >>"$d/ingest.json"
    done
    LD_PRELOAD="$OUT/fixed_time.so" "$bin" --db "$d/db" stats --json \
        | python3 -c 'import json,sys; j=json.load(sys.stdin); import os; [j.pop(k,None) for k in ("file_bytes","map_size","disk_bytes","map_bytes","path") + (("schema_version",) if os.environ.get("SAME_IGNORE_KEY_KINDS") else ())]; print(json.dumps(j,sort_keys=True))' >"$d/stats.json"
    "$BUILD/cpi-store-dump" "$d/db" >"$d/dump.txt"
    LD_PRELOAD="$OUT/fixed_time.so" "$bin" --db "$d/db" user add "$CPINDEX_USER" --role admin,analyst,polit,marac >/dev/null
    LD_PRELOAD="$OUT/fixed_time.so" "$bin" --db "$d/db" resolve --json >/dev/null
    LD_PRELOAD="$OUT/fixed_time.so" "$bin" --db "$d/db" export entities >"$d/entities.csv"
    (cd "$d/rejects" && for f in *; do echo "== $f"; cat "$f"; done) | sed "s|$FORCE|FORCE|g; s|$OUT/changed|CHANGED|g" >"$d/rejects.txt"
}
run old "$OLD"
run new "$NEW"
# SAME_IGNORE_KEY_KINDS="sx street ...": a deliberate change of what the key index holds
# (schema 1 -> 2 dropped these kinds): leave those kinds' index entries and the schema
# version out of both dumps, so everything else must still agree byte for byte.
if [ -n "${SAME_IGNORE_KEY_KINDS:-}" ]; then
    for tag in old new; do
        python3 - "$OUT/$tag/dump.txt" "$SAME_IGNORE_KEY_KINDS" <<'PY'
import sys
path, kinds = sys.argv[1], sys.argv[2].split()
pre = tuple((k + "\x1f").encode().hex() for k in kinds)
out, dropped = [], 0
for line in open(path):
    db, k = line.split("\t", 2)[:2]
    if (db == "keys" and k.startswith(pre)) or (db == "meta" and k == b"schema".hex()):
        dropped += 1
        continue
    out.append(line)
open(path, "w").writelines(out)
print(f"  {path.split('/')[-2]}: left out {dropped} lines (key kinds {' '.join(kinds)}, schema)", file=sys.stderr)
PY
    done
fi
status=0
for f in ingest.json stats.json dump.txt rejects.txt entities.csv; do
    if cmp -s "$OUT/old/$f" "$OUT/new/$f"; then
        echo "  $f: same ($(wc -l <"$OUT/old/$f") lines)"
    else
        echo "  $f: DIFFERENT" >&2
        diff "$OUT/old/$f" "$OUT/new/$f" | head -n 10 | cut -c1-300 >&2
        status=1
    fi
done
[ "$status" -eq 0 ] && echo "same"
exit "$status"
