#!/usr/bin/env bash
# layers.sh - the library's rooms follow the flow, and no room includes one above it.
#
# Rooms, lowest first (docs/architecture.md, "Where things sit"):
#   core            model, store, codec, errors, interner, sort, source names
#   core/normalise  raw values -> comparable keys (names, dates, phones, places)
#   audit           who may do what, and the log of every access
#   ingest          silo exports in (adapters, mapping files) and records out (purge)
#   graph           the graph of resolved entities, its store and analytics
#   resolve         record linkage: mentions -> entities, then the graph, in one transaction
#   query           answers (child, person, address, missing, agenda, lookup) as data
#   render          answers written out: text, JSON, GraphML, DOT, CSV, SVG
#   desk            one consultation: authorise, build the answer, record what is shown, log it
# tools/, tests/ and bench/ sit above all of them. A file may include its own room and any
# room below it; anything else is printed as FILE:LINE: ROOM includes HIGHER-ROOM (PATH) and the
# script exits 1. Run from anywhere: bash tests/layers.sh [SOURCE_DIR]
set -u
ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$ROOT" || exit 2
ROOMS=(core core/normalise audit ingest graph resolve query render desk)

rank() { # the room of a path, as its index in ROOMS; -1 if none
    local p=$1 best=-1 i
    for i in "${!ROOMS[@]}"; do
        case "$p" in "${ROOMS[$i]}"/*) best=$i ;; esac # core/normalise outranks core
    done
    echo "$best"
}

bad=0 files=0
while IFS= read -r f; do
    files=$((files + 1))
    rf=$(rank "$f")
    while IFS=: read -r line inc; do
        [ -n "$inc" ] || continue
        ri=$(rank "$inc")
        if [ "$ri" -lt 0 ]; then
            [ -e "$inc" ] || continue # a system or generated header
            echo "$f:$line: includes $inc, which is in no room"
            bad=$((bad + 1))
        elif [ "$ri" -gt "$rf" ]; then
            echo "$f:$line: ${ROOMS[$rf]} includes ${ROOMS[$ri]} ($inc)"
            bad=$((bad + 1))
        fi
    done < <(grep -noE '^#include "[^"]+"' "$f" | sed -E 's/^([0-9]+):#include "([^"]+)"/\1:\2/')
done < <(for r in "${ROOMS[@]}"; do find "$r" -maxdepth 1 -name '*.[ch]'; done | sort)

# a room's folder that is not listed would escape the check
for d in */ core/*/; do
    d=${d%/}
    case "$d" in tools|tests|bench|build*|docs|debian|packaging|graph/igraph|node_modules) continue ;; esac
    if compgen -G "$d/*.[ch]" >/dev/null; then
        known=0
        for r in "${ROOMS[@]}"; do [ "$r" = "$d" ] && known=1; done
        [ $known = 1 ] || { echo "$d: C sources in a folder that is not a room (add it to tests/layers.sh)"; bad=$((bad + 1)); }
    fi
done

if [ $bad -gt 0 ]; then
    echo "layers: $bad include(s) against the flow in $files files" >&2
    exit 1
fi
echo "layers: $files files, every include is its own room or below"
