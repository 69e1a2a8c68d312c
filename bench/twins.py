#!/usr/bin/env python3
"""twins.py - how many twin pairs and namesake pairs (a father and the son named after him) a
clustering merged: the issue's "no twin pair and no father/son pair merged".

  bench/twins.py FORCE_DIR ENTITIES_CSV

FORCE_DIR holds cpgen's truth.csv and truth_entities.csv (its twin_of and namesake_of columns);
ENTITIES_CSV is `cpindex export entities`. A pair counts as merged when any mention of one and any
mention of the other share a predicted entity. Reads the truth: for evaluation only.
"""
import csv
import sys
from collections import defaultdict


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    force, ents = sys.argv[1:]
    clusters = defaultdict(set)  # true id -> predicted entities
    pred = {}
    with open(ents, newline="") as f:
        for r in csv.reader(f):
            if r and r[0] != "reference":
                pred[r[0]] = r[1]
    with open(f"{force}/truth.csv", newline="") as f:
        for r in csv.DictReader(f):
            if r["kind"] == "person" and r["reference"] in pred:
                clusters[r["true_id"]].add(pred[r["reference"]])
    pairs = {"twin": set(), "namesake": set()}
    with open(f"{force}/truth_entities.csv", newline="") as f:
        for r in csv.DictReader(f):
            for col, kind in (("twin_of", "twin"), ("namesake_of", "namesake")):
                other = r.get(col)
                if other:
                    pairs[kind].add(tuple(sorted((r["true_id"], other))))
    for kind, ps in pairs.items():
        merged = [p for p in sorted(ps) if clusters[p[0]] & clusters[p[1]]]
        print(f"{kind} pairs: {len(ps)}  merged: {len(merged)}" +
              (("  e.g. " + " ".join("%s+%s" % p for p in merged[:5])) if merged else ""))


if __name__ == "__main__":
    main()
