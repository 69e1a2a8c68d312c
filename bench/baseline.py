#!/usr/bin/env python3
"""baseline.py - the exact-match baselines that cpindex's linkage is measured against.

Usage: bench/baseline.py [--identifiers] MENTION_CSV OUT_CSV

Reads the mentions bench/pg_export.c wrote (record_ref, n, kind, role,
entity_id, fn, sn, dob, keys, raw; no header) and writes OUT_CSV in the form
`cpindex export entities` writes (reference,entity_id), for cpi-eval.

Without --identifiers (the issue's baseline): a person mention with a
forename, a surname and a date of birth joins every other person mention with
the identical three (the store's normalised keys fn, sn, dob: lower case,
dates as yyyy-mm-dd; so "SMITH" and "Smith" match, "Siân" and "Sian" do not).
Every other mention is an entity of its own. In cpgen's data most person
mentions are Niche link rows (occurrence nominals, warnings) that carry only
a nominal id, so this baseline's recall is mostly what it cannot see.

With --identifiers, mentions of one kind also join when they share any exact
identifier, transitively (union-find): people a Niche nominal id, PNC id or their own email,
places a Niche location id or the identical address key (addr), phones the
number (tel), online identities the email or user name. This is the best a
system without probabilistic matching does: what cpindex adds beyond it is
typos, nicknames, missing or swapped DOBs and weak mentions.

Prints one JSON line: mentions, persons, matched (person mentions with all
three name keys), entities.
"""
import csv
import json
import sys

IDENTIFIERS = {
    "person": ("nid", "pnc", "email"),
    "location": ("lid", "addr"),
    "phone": ("tel",),
    "online": ("email", "user"),
}


def find(parent, i):
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def main():
    args = sys.argv[1:]
    identifiers = "--identifiers" in args
    args = [a for a in args if a != "--identifiers"]
    if len(args) != 2:
        sys.stderr.write("usage: bench/baseline.py [--identifiers] MENTION_CSV OUT_CSV\n")
        return 2
    csv.field_size_limit(1 << 24)
    refs, parent, first = [], [], {}
    persons = matched = 0
    with open(args[0], newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            record_ref, n, kind, _role, _eid, fn, sn, dob, keys = row[:9]
            i = len(refs)
            refs.append(f"{record_ref}/{n}")
            parent.append(i)
            join = []
            if kind == "person":
                persons += 1
                if fn and sn and dob:
                    matched += 1
                    join.append(("name", fn, sn, dob))
            if identifiers and kind in IDENTIFIERS:
                k = json.loads(keys)
                for name in IDENTIFIERS[kind]:
                    join.extend((kind, name, v) for v in k.get(name, ()))
            for key in join:
                j = first.setdefault(key, i)
                if j != i:
                    a, b = find(parent, i), find(parent, j)
                    if a != b:
                        parent[a] = b
    roots = set()
    with open(args[1], "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["reference", "entity_id"])
        for i, ref in enumerate(refs):
            r = find(parent, i)
            roots.add(r)
            w.writerow([ref, f"B{r}"])
    print(json.dumps({"mentions": len(refs), "persons": persons, "matched": matched, "entities": len(roots)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
