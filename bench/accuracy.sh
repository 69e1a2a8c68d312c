#!/bin/sh
# accuracy.sh - one generated force through the whole pipeline and the evaluator:
# cpgen -> ingest every silo -> resolve (timed: wall, user, sys, peak RSS) -> export entities -> cpi-eval.
#
# Usage: bench/accuracy.sh [--build DIR] [--keep DIR] SEED CHILDREN MESSINESS [cpi-eval options]
#   Without --keep the work directory is a temporary one, removed afterwards.
#   With --keep DIR the force, store, entities.csv and the reports stay in DIR; a force already
#   there is reused, and so is the ingested store (DIR/db.ingested: remove it to ingest again),
#   so only resolve onward re-runs. Also writes DIR/pg/mention.csv for bench/missed.py.
# Prints the resolve report's headline (mentions, seconds), the time line, then cpi-eval's report.
set -eu
BUILD=build KEEP=
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --keep) KEEP=$2; shift 2 ;;
    *) break ;;
    esac
done
[ $# -ge 3 ] || { echo "usage: bench/accuracy.sh [--build DIR] [--keep DIR] SEED CHILDREN MESSINESS [cpi-eval options]" >&2; exit 2; }
SEED=$1 N=$2 MESS=$3
shift 3
CPI=$(realpath "$BUILD/cpindex")
if [ -n "$KEEP" ]; then W=$KEEP; mkdir -p "$W"; else W=$(mktemp -d "${TMPDIR:-/tmp}/cpi-acc-XXXXXX"); trap 'rm -rf "$W"' EXIT; fi
export CPINDEX_USER="${CPINDEX_USER:-$(id -un)}" CPINDEX_REASON="accuracy run on synthetic data"
if [ ! -f "$W/force/truth.csv" ]; then
    rm -rf "$W/force" "$W/db.ingested"
    "$BUILD/cpgen" --seed "$SEED" --children "$N" --messiness "$MESS" --out "$W/force" >/dev/null
fi
if [ ! -d "$W/db.ingested" ]; then
    rm -rf "$W/db"
    for s in niche miraf mace marac polit soc; do
        "$CPI" --db "$W/db" ingest "$s" "$W/force/$s" --json >"$W/ingest_$s.json"
    done
    # export needs the analyst role; the store's creator is its admin
    "$CPI" --db "$W/db" user add "$CPINDEX_USER" --role admin,analyst,polit,marac >/dev/null
    cp -a "$W/db" "$W/db.ingested"
else
    rm -rf "$W/db"
    cp -a "$W/db.ingested" "$W/db"
fi
echo "records: $(($(cat "$W"/force/*/*.csv | wc -l)))  (csv lines incl. headers)"
/usr/bin/time -f "resolve: %e s wall, %U s user, %S s sys, %M KB peak RSS" -o "$W/resolve.time" \
    "$CPI" --db "$W/db" resolve --json >"$W/resolve.json"
cat "$W/resolve.time"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("resolve report: records %s mentions %s seconds %s" % (r.get("records"), r.get("mentions"), r.get("seconds", r.get("seconds_total"))))' "$W/resolve.json" || true
"$CPI" --db "$W/db" export entities --out "$W/entities.csv"
if [ -n "$KEEP" ] && [ -x "$BUILD/cpi-pg-export" ]; then   # mention.csv, for bench/missed.py
    mkdir -p "$W/pg" && "$BUILD/cpi-pg-export" "$W/db" "$W/pg" >/dev/null
fi
"$BUILD/cpi-eval" --truth "$W/force/truth.csv" --entities "$W/entities.csv" "$@"
