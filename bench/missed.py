#!/usr/bin/env python3
"""missed.py - the person links a clustering missed, by category, to find what to fix first.

  bench/missed.py FORCE_DIR ENTITIES_CSV MENTION_CSV [--kind person] [--examples N]

FORCE_DIR holds cpgen's truth.csv; ENTITIES_CSV is `cpindex export entities`; MENTION_CSV is
`cpi-pg-export STORE DIR`'s DIR/mention.csv (the normalised keys of every mention).
bench/accuracy.sh --keep DIR writes all three.

A true entity split over several predicted clusters loses every pair across the pieces. The
largest piece is taken as the entity's body; every other piece is a *fragment*, and the pairs
between a fragment and the rest are what it costs. Fragments are tallied by category:
  - its silos and roles (mace:adult-of-concern, marac:household-child, niche:nominal, ...);
  - strong (some mention with a forename and surname, a surname and a DOB, or a PNC id) or weak;
  - how its best-agreeing mention compares with the body: forename / surname / DOB each
    same, differs or absent on one side (the pair of mentions that agree on most fields).
Printed worst first by lost pairs, with example references. Reads the truth: for evaluation
only, never for the resolver.
"""
import csv
import json
import sys
from collections import Counter, defaultdict


def main():
    args = [a for a in sys.argv[1:]]
    kind = "person"
    nex = 3
    if "--kind" in args:
        i = args.index("--kind"); kind = args[i + 1]; del args[i:i + 2]
    if "--examples" in args:
        i = args.index("--examples"); nex = int(args[i + 1]); del args[i:i + 2]
    if len(args) != 3:
        sys.exit(__doc__)
    force, ents, menf = args
    truth = {}
    roles = {}
    with open(f"{force}/truth.csv", newline="") as f:
        for r in csv.DictReader(f):
            if r["kind"] == kind:
                truth[r["reference"]] = r["true_id"]
                roles[r["reference"]] = r["role"]
    pred = {}
    with open(ents, newline="") as f:
        for r in csv.DictReader(f):
            pred[r["reference"]] = r["entity_id"]
    keys = {}
    with open(menf, newline="") as f:
        for row in csv.reader(f):
            ref = f"{row[0]}/{row[1]}"
            if ref in truth:
                keys[ref] = json.loads(row[8])
    by_true = defaultdict(lambda: defaultdict(list))
    for ref, t in truth.items():
        by_true[t][pred.get(ref, "missing:" + ref)].append(ref)

    def strong(k):
        return bool(("fn" in k and "sn" in k) or ("sn" in k and ("dob" in k or "dob_lo" in k)) or "pnc" in k)

    def cmp(a, b, f):
        va, vb = set(a.get(f, [])), set(b.get(f, []))
        if not va or not vb:
            return "absent"
        return "same" if va & vb else "differs"

    def rng(k):
        if "dob" in k:
            return k["dob"][0], k["dob"][0]
        if "dob_lo" in k:
            return k["dob_lo"][0], k["dob_hi"][0]
        return None

    def dob(a, b):
        ra, rb = rng(a), rng(b)
        if not ra or not rb:
            return "absent"
        (alo, ahi), (blo, bhi) = ra, rb
        if alo == ahi and blo == bhi:
            return "same" if alo == blo else "differs"
        return "in-range" if alo <= bhi and blo <= ahi else "out-of-range"

    cats = Counter()
    frags = Counter()
    examples = defaultdict(list)
    total = 0
    for t, parts in by_true.items():
        if len(parts) < 2:
            continue
        pieces = sorted(parts.values(), key=len, reverse=True)
        body = pieces[0]
        n = sum(len(p) for p in pieces)
        for frag in pieces[1:]:
            # pairs with the body, and half of those with the other fragments (they count them too)
            lost = len(frag) * len(body) + len(frag) * (n - len(frag) - len(body)) / 2
            srcrole = "+".join(sorted({f"{r.split(':')[0]}:{roles[r]}" for r in frag}))
            st = "strong" if any(strong(keys.get(r, {})) for r in frag) else "weak"
            best = None
            for a in frag:
                ka = keys.get(a, {})
                for b in body:
                    kb = keys.get(b, {})
                    c = (cmp(ka, kb, "fn"), cmp(ka, kb, "sn"), dob(ka, kb), cmp(ka, kb, "street"))
                    score = sum(x == "same" for x in c) * 2 + sum(x in ("in-range",) for x in c)
                    if best is None or score > best[0]:
                        best = (score, c, a, b)
            c = best[1]
            cat = (srcrole, st, f"fn {c[0]}, sn {c[1]}, dob {c[2]}, street {c[3]}")
            cats[cat] += lost
            frags[cat] += 1
            total += lost
            if len(examples[cat]) < nex:
                examples[cat].append(f"{best[2]} vs {best[3]} ({t})")
    print(f"{kind}: {round(total)} lost pairs")
    for cat, lost in cats.most_common(40):
        print(f"{round(lost):7d} pairs {frags[cat]:5d} fragments  {cat[1]:6s} {cat[0]}  |  {cat[2]}")
        for e in examples[cat]:
            print(f"            e.g. {e}")


if __name__ == "__main__":
    main()
