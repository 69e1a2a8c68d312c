#!/bin/sh
# profile_same.sh - proof that two builds print the same child profile, byte for byte:
# `cpindex child ID --full --json` and the text form, for the first N child
# targets of a cpi-query-bench targets file, old build against new.
#
#   bench/profile_same.sh OLD_CPINDEX NEW_CPINDEX STORE TARGETS [N=300]
#
# Both builds must read the same store; each consultation is logged, so the
# user (CPINDEX_USER, default the login name) needs the analyst role and a
# reason (CPINDEX_REASON, default below). Prints how many answers were
# compared and exits 1 at the first difference (with a diff of it).
set -eu
[ $# -ge 4 ] || { echo "usage: $0 OLD_CPINDEX NEW_CPINDEX STORE TARGETS [N]" >&2; exit 2; }
old=$1 new=$2 db=$3 targets=$4 n=${5:-300}
export CPINDEX_USER="${CPINDEX_USER:-$(id -un)}" CPINDEX_REASON="${CPINDEX_REASON:-comparing two builds' output}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count=0
for id in $(awk '$1 == "child" { print $2 }' "$targets" | head -n "$n"); do
    for form in "--json" ""; do
        # shellcheck disable=SC2086 # $form is one word or none
        "$old" --db "$db" child "$id" --full $form >"$tmp/old" 2>"$tmp/old.err" || echo "exit $?" >>"$tmp/old"
        # shellcheck disable=SC2086
        "$new" --db "$db" child "$id" --full $form >"$tmp/new" 2>"$tmp/new.err" || echo "exit $?" >>"$tmp/new"
        if ! cmp -s "$tmp/old" "$tmp/new" || ! cmp -s "$tmp/old.err" "$tmp/new.err"; then
            echo "DIFFERENT: child $id --full $form" >&2
            diff "$tmp/old" "$tmp/new" | head -20 >&2 || true
            diff "$tmp/old.err" "$tmp/new.err" | head -5 >&2 || true
            exit 1
        fi
        count=$((count + 1))
    done
done
echo "same: $count answers ($n children, JSON and text)"
