#!/bin/sh
# profile_same.sh - proof that two builds print the same answers, byte for byte:
# `cpindex child ID --full --json` and the text form, for the first N child
# targets of a cpi-query-bench targets file, old build against new.
#
#   bench/profile_same.sh [--all] OLD_CPINDEX NEW_CPINDEX STORE TARGETS [N=300]
#
# --all also compares, JSON and text each: `address ID` (brief and --full) for
# the first N address targets, `missing ID` for the first N missing targets,
# `person ID` and `child ID` (brief) for the first N children, `agenda` (the
# whole force, --since a year before its as-of day, and --area for each local
# authority it names), and lookups: by each of those children's names
# (`child NAME`), their surnames alone (`person SURNAME`: mostly a list of
# candidates), each address target's address (`address TEXT`) and each phone
# of the people the missing plans name (`person PHONE`). Names, addresses and
# phones are read from the old build's JSON answers (python3).
#
# Both builds must read the same store; each consultation is logged, so the
# user (CPINDEX_USER, default the login name) needs the analyst role and a
# reason (CPINDEX_REASON, default below). Prints how many answers were
# compared and exits 1 at the first difference (with a diff of it).
set -eu
all=0
[ "${1:-}" = --all ] && { all=1; shift; }
[ $# -ge 4 ] || { echo "usage: $0 [--all] OLD_CPINDEX NEW_CPINDEX STORE TARGETS [N]" >&2; exit 2; }
old=$1 new=$2 db=$3 targets=$4 n=${5:-300}
export CPINDEX_USER="${CPINDEX_USER:-$(id -un)}" CPINDEX_REASON="${CPINDEX_REASON:-comparing two builds' output}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count=0

# same ARGS...: both builds' stdout, stderr and exit status for `cpindex --db STORE ARGS...` agree
same() {
    "$old" --db "$db" "$@" >"$tmp/old" 2>"$tmp/old.err" || echo "exit $?" >>"$tmp/old"
    "$new" --db "$db" "$@" >"$tmp/new" 2>"$tmp/new.err" || echo "exit $?" >>"$tmp/new"
    if ! cmp -s "$tmp/old" "$tmp/new" || ! cmp -s "$tmp/old.err" "$tmp/new.err"; then
        echo "DIFFERENT: $*" >&2
        diff "$tmp/old" "$tmp/new" | head -20 >&2 || true
        diff "$tmp/old.err" "$tmp/new.err" | head -5 >&2 || true
        exit 1
    fi
    count=$((count + 1))
}

# both forms; the JSON one is left in $tmp/old for the caller to read
both() {
    same "$@"
    same "$@" --json
}

ids() { awk -v k="$1" '$1 == k { print $2 }' "$targets" | head -n "$n"; }

# a field of the JSON answer in $tmp/old, one value a line (python3 expression over j)
field() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); [print(v) for v in ($1) if v]" "$tmp/old" || true; }

for id in $(ids child); do
    both child "$id" --full
done
[ $all = 1 ] || { echo "same: $count answers ($n children, JSON and text)"; exit 0; }

: >"$tmp/names"
for id in $(ids child); do
    both person "$id"
    both child "$id"
    field '[j.get("name")]' >>"$tmp/names"
done
: >"$tmp/addresses"
for id in $(ids address); do
    both address "$id" --full
    both address "$id"
    field '[j.get("address")]' >>"$tmp/addresses"
done
: >"$tmp/phones"
for id in $(ids missing); do
    both missing "$id"
    field '[p for r in j["people_to_locate"] for p in r["phones"]]' >>"$tmp/phones"
done
both agenda
field '[j["as_of"]]' >"$tmp/asof"
since=$(python3 -c "import datetime,sys; d=datetime.date.fromisoformat(sys.argv[1]); print(d.replace(year=d.year-1))" "$(cat "$tmp/asof")")
both agenda --since "$since"
field 'sorted({c["local_authority"] for c in j["children"]} - {None})' >"$tmp/areas"
while IFS= read -r area; do
    both agenda --area "$area"
done <"$tmp/areas"
# lookups: a name or address that matches one entity shows its answer, several a list
while IFS= read -r q; do both child "$q"; done <"$tmp/names"
awk '{ print $NF }' "$tmp/names" | sort -u | head -n "$n" >"$tmp/surnames" # most match several people: a list
while IFS= read -r q; do both person "$q"; done <"$tmp/surnames"
while IFS= read -r q; do both address "$q"; done <"$tmp/addresses"
sort -u "$tmp/phones" | head -n "$n" >"$tmp/phones1"
while IFS= read -r q; do both person "$q"; done <"$tmp/phones1"
echo "same: $count answers (child --full, child, person, address --full, address, missing, agenda" \
    "with --since and $(wc -l <"$tmp/areas") areas, $(wc -l <"$tmp/names") name, $(wc -l <"$tmp/surnames") surname, $(wc -l <"$tmp/addresses") address and" \
    "$(wc -l <"$tmp/phones1") phone lookups; JSON and text)"
