#!/bin/sh
# eval_bench.sh - how long cpi-eval takes on N mentions, beside the time to merely read its input.
#
# Usage: bench/eval_bench.sh [BUILD_DIR] [MENTIONS]
#   defaults: build, 10000000 mentions.
# Writes a synthetic truth.csv / truth_entities.csv / entities.csv into a temporary directory
# (removed afterwards; about 750 MB at 10M): mentions spread over N/4 true entities across seven
# silos, 1% missing from the export, 2% falsely merged into the next entity. No personal data:
# references and ids are counters. Prints cpi-eval's wall, user and system time and peak RSS,
# then the time `wc -l` takes over the same files, as a floor for merely reading them.
set -eu
BUILD=${1:-build}
N=${2:-10000000}
BIN="$BUILD/cpi-eval"
[ -x "$BIN" ] || { echo "eval_bench: no $BIN; build first (cmake --build $BUILD)" >&2; exit 2; }
OUT=$(mktemp -d "${TMPDIR:-/tmp}/cpi-eval-bench-XXXXXX")
trap 'rm -rf "$OUT"' EXIT
cd "$OUT"
awk -v N="$N" 'BEGIN {
  split("niche niche niche niche niche niche miraf mace marac polit soc", S, " ");
  split("person person person location location phone online", K, " ");
  T = int(N / 4);
  print "reference,kind,true_id,role" > "truth.csv";
  print "reference,entity_id" > "entities.csv";
  print "true_id,kind,subtype" > "truth_entities.csv";
  for (t = 0; t < T; t++) printf "X%09d,k,%s\n", t, (t % 3 == 0 ? "child" : "adult") > "truth_entities.csv";
  for (i = 0; i < N; i++) {
    s = S[i % 11 + 1];
    t = (i * 7919) % T;
    ref = sprintf("%s:R-%09d/%d", s, int(i / 3), i % 3 + 1);
    printf "%s,%s,X%09d,%s\n", ref, K[t % 7 + 1], t, (s == "marac" ? "household-child" : "r") > "truth.csv";
    if (i % 100 == 7) continue;
    printf "%s,E%d\n", ref, (i % 50 == 3) ? (t + 1) % T : t > "entities.csv";
  }
}'
ls -l "$OUT"/*.csv | awk '{ printf "%s %d MB\n", $NF, $5 / 1048576 }'
cd - >/dev/null
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "cpi-eval: %e s wall, %U s user, %S s sys, %M KB peak RSS" \
        "$BIN" --truth "$OUT/truth.csv" --entities "$OUT/entities.csv" >/dev/null
    /usr/bin/time -f "wc -l (reading the input only): %e s wall" \
        wc -l "$OUT/truth.csv" "$OUT/entities.csv" "$OUT/truth_entities.csv" >/dev/null
else
    time "$BIN" --truth "$OUT/truth.csv" --entities "$OUT/entities.csv" >/dev/null
fi
uptime
