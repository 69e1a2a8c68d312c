#!/bin/sh
# gen_bench.sh - how fast cpgen writes a synthetic force, and how much memory it takes.
#
# Usage: bench/gen_bench.sh [BUILD_DIR] [CHILDREN] [SEED]
#   defaults: build-gen, 100000 children (about 1,000,000 records), seed 1.
# Runs cpgen once into a temporary directory (removed afterwards) with
# --messiness 1 --bad-rows 5 and prints wall time, records/s and peak RSS.
# The issue's target: >= 1,000,000 records in 30 s on one core.
set -eu
BUILD=${1:-build-gen}
N=${2:-100000}
SEED=${3:-1}
BIN="$BUILD/cpgen"
[ -x "$BIN" ] || { echo "gen_bench: no $BIN; build first (cmake --build $BUILD)" >&2; exit 2; }
OUT=$(mktemp -d "${TMPDIR:-/tmp}/cpgen-bench-XXXXXX")
trap 'rm -rf "$OUT"' EXIT
TIMES="$OUT.time"
if [ -x /usr/bin/time ]; then
    /usr/bin/time -v "$BIN" --seed "$SEED" --children "$N" --messiness 1 --bad-rows 5 --out "$OUT/force" 2>"$TIMES"
    WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$TIMES")
    RSS=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$TIMES")
    USER=$(awk -F': ' '/User time/ {print $2}' "$TIMES")
    SYS=$(awk -F': ' '/System time/ {print $2}' "$TIMES")
    SECS=$(echo "$WALL" | awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
else
    START=$(date +%s.%N)
    "$BIN" --seed "$SEED" --children "$N" --messiness 1 --bad-rows 5 --out "$OUT/force"
    END=$(date +%s.%N)
    SECS=$(echo "$START $END" | awk '{print $2-$1}')
    RSS=unknown USER=unknown SYS=unknown
fi
rm -f "$TIMES"
ROWS=$(awk '/"totals"/ {t=1} t && /"rows"/ {gsub(/[^0-9]/, ""); print; exit}' "$OUT/force/manifest.json")
MENTIONS=$(awk '/"totals"/ {t=1} t && /"mentions"/ {gsub(/[^0-9]/, ""); print; exit}' "$OUT/force/manifest.json")
BYTES=$(du -sb "$OUT/force" | cut -f1)
echo "cpgen --children $N --seed $SEED --messiness 1 --bad-rows 5"
echo "  records written : $ROWS (mentions in truth: $MENTIONS, output $((BYTES / 1048576)) MiB)"
echo "  wall time       : ${SECS} s (user ${USER} s, sys ${SYS} s)"
echo "  records/s       : $(echo "$ROWS $SECS" | awk '{ if ($2 > 0) printf "%.0f", $1/$2; else print "inf" }')"
echo "  peak RSS        : ${RSS} KiB"
