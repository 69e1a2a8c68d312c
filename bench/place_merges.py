#!/usr/bin/env python3
"""place_merges.py - the false place merges of a clustering, by category, to find what to fix first.

  bench/place_merges.py FORCE_DIR ENTITIES_CSV MENTION_CSV [--examples N] [--kind location]

FORCE_DIR holds cpgen's truth.csv; ENTITIES_CSV is `cpindex export entities`; MENTION_CSV is
`cpi-pg-export STORE DIR`'s DIR/mention.csv (the normalised keys of every mention).
bench/accuracy.sh --keep DIR writes all three.

A predicted entity holding mentions of several true places is a false merge. Its largest true
piece is the body; every other piece is an *intruder*, and its false pairs are its size times the
rest of the entity (halved between intruders, which count each other too). Each intruder is
categorised by the pair of mentions (one from it, one from the rest) that agree on most fields:
house, flat, street, postcode (full / same district / differs), town and name each same, differs
or absent on one side; and by which silos and roles the intruder's mentions come from.
Printed worst first by false pairs, with example references and the two mentions' keys.
Reads the truth: for evaluation only, never for the resolver.
"""
import csv
import json
import sys
from collections import Counter, defaultdict

FIELDS = ("house", "flat", "street_k", "pc", "town", "name")


def main():
    args = list(sys.argv[1:])
    kind = "location"
    nex = 3
    if "--examples" in args:
        i = args.index("--examples"); nex = int(args[i + 1]); del args[i:i + 2]
    if "--kind" in args:
        i = args.index("--kind"); kind = args[i + 1]; del args[i:i + 2]
    if len(args) != 3:
        sys.exit(__doc__)
    force, ents, menf = args
    truth, roles = {}, {}
    with open(f"{force}/truth.csv", newline="") as f:
        for r in csv.DictReader(f):
            if r["kind"] == kind:
                truth[r["reference"]] = r["true_id"]
                roles[r["reference"]] = r["role"]
    pred = {}
    with open(ents, newline="") as f:
        for r in csv.DictReader(f):
            if r["reference"] in truth:
                pred[r["reference"]] = r["entity_id"]
    keys = {}
    with open(menf, newline="") as f:
        for row in csv.reader(f):
            ref = f"{row[0]}/{row[1]}"
            if ref in truth:
                k = json.loads(row[8]) if row[8] else {}
                k["name"] = k.get("place", []) + k.get("premises", [])
                keys[ref] = k
    by_pred = defaultdict(lambda: defaultdict(list))
    for ref, e in pred.items():
        by_pred[e][truth[ref]].append(ref)

    def cmp(a, b, f):
        va, vb = set(a.get(f, [])), set(b.get(f, []))
        if not va or not vb:
            return "absent"
        if va & vb:
            return "same"
        if f == "pc":
            da, db = set(a.get("pcd", [])), set(b.get("pcd", []))
            return "district" if da & db else "differs"
        return "differs"

    def sig(k):
        return json.dumps({f: sorted(k.get(f, [])) for f in FIELDS}, sort_keys=True)

    cats, n_intr, examples = Counter(), Counter(), defaultdict(list)
    total, merged_ents = 0, 0
    for e, parts in by_pred.items():
        if len(parts) < 2:
            continue
        merged_ents += 1
        pieces = sorted(parts.items(), key=lambda kv: len(kv[1]), reverse=True)
        n = sum(len(p) for _, p in pieces)
        # distinct key signatures per piece, so a school written 5,000 times is compared once
        dist = []
        for t, refs in pieces:
            d = {}
            for r in refs:
                d.setdefault(sig(keys.get(r, {})), r)
            dist.append((t, list(d.values())[:200]))
        for idx in range(1, len(pieces)):
            t, refs = pieces[idx]
            false = len(refs) * len(pieces[0][1]) + len(refs) * (n - len(refs) - len(pieces[0][1])) / 2
            others = [r for j, (_, rs) in enumerate(dist) if j != idx for r in rs]
            best = None
            for a in dist[idx][1]:
                ka = keys.get(a, {})
                for b in others:
                    kb = keys.get(b, {})
                    c = tuple(cmp(ka, kb, f) for f in FIELDS)
                    score = sum(x == "same" for x in c) * 2 + sum(x == "district" for x in c) - \
                        sum(x == "differs" for x in c) * 3
                    if best is None or score > best[0]:
                        best = (score, c, a, b)
            c = best[1]
            src = "+".join(sorted({f"{r.split(':')[0]}:{roles[r]}" for r in refs}))
            cat = ", ".join(f"{f.replace('_k', '')} {x}" for f, x in zip(FIELDS, c))
            cats[cat] += false
            n_intr[cat] += 1
            total += false
            if len(examples[cat]) < nex:
                ka, kb = keys.get(best[2], {}), keys.get(best[3], {})
                show = lambda k: {f: k[f] for f in FIELDS + ("pcd",) if k.get(f)}
                examples[cat].append(f"{e}: {best[2]} ({t}, {src}) {show(ka)}\n"
                                     f"                 vs {best[3]} ({truth[best[3]]}) {show(kb)}")
    print(f"{kind}: {merged_ents} predicted entities hold several true ids; {round(total)} false pairs")
    for cat, lost in cats.most_common(40):
        print(f"{round(lost):8d} pairs {n_intr[cat]:5d} intruders  {cat}")
        for x in examples[cat]:
            print(f"            e.g. {x}")


if __name__ == "__main__":
    main()
