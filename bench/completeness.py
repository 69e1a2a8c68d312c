#!/usr/bin/env python3
"""completeness.py - does a child's profile hold everything the force holds on them, and nothing else?

For children sampled from a generated force (cpgen's truth_entities.csv), take every record that
truly mentions the child (truth.csv), ask `cpindex child ENTITY --json` for the entity holding most
of the child's mentions (what an officer would reach by name), and compare the profile's
`references` (the records it lists outside possible_matches) with the truth:

  recall  = records of the child the profile lists / records of the child        (target >= 0.99)
  foreign = records the profile lists that are not the child's / records listed  (target <= 0.01)

Both are summed over the sample (micro-averaged); the children below 99% recall and the
profiles with foreign records are counted and the worst are listed.

usage: bench/completeness.py --force DIR --db STORE [--sample N] [--seed S] [--cpindex PATH] [--json]
The store must have been resolved; CPINDEX_USER needs a role that reads every silo
(analyst,polit,marac) so restricted records are not withheld from the count.
"""
import argparse
import collections
import csv
import json
import os
import random
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--force", required=True, help="cpgen output folder (truth.csv, truth_entities.csv)")
    ap.add_argument("--db", required=True, help="resolved store")
    ap.add_argument("--sample", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cpindex", default=os.path.join("build", "cpindex"))
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    env = dict(os.environ)
    env.setdefault("CPINDEX_USER", os.environ.get("USER") or "root")
    env.setdefault("CPINDEX_REASON", "completeness benchmark on synthetic data")

    children = []
    with open(os.path.join(a.force, "truth_entities.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] == "person" and row["subtype"] in ("child", "looked-after-child"):
                children.append(row["true_id"])
    mentions = collections.defaultdict(list)  # true id -> mention refs
    with open(os.path.join(a.force, "truth.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] == "person":
                mentions[row["true_id"]].append(row["reference"])
    children = [c for c in children if mentions.get(c)]
    random.Random(a.seed).shuffle(children)
    sample = children[: a.sample]

    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as t:
        export = t.name
    try:
        subprocess.run([a.cpindex, "--db", a.db, "export", "entities", "--out", export], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        entity_of = {}
        with open(export, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                entity_of[row["reference"]] = row["entity_id"]
    finally:
        os.unlink(export)

    true_hits = true_total = listed_total = foreign_total = 0
    below, with_foreign, failures = [], [], 0
    for c in sample:
        refs = mentions[c]
        true_records = {r.rsplit("/", 1)[0] for r in refs}
        votes = collections.Counter(entity_of.get(r, "") for r in refs if entity_of.get(r))
        if not votes:
            failures += 1
            true_total += len(true_records)
            below.append((0.0, c, "", len(true_records), 0))
            continue
        entity = votes.most_common(1)[0][0]
        p = subprocess.run([a.cpindex, "--db", a.db, "child", entity, "--json"], env=env, capture_output=True,
                           text=True)
        if p.returncode != 0:
            # an adult-looking entity (a child's mention merged into an adult) is refused by `child`
            p = subprocess.run([a.cpindex, "--db", a.db, "person", entity, "--json"], env=env,
                               capture_output=True, text=True)
        if p.returncode != 0:
            failures += 1
            true_total += len(true_records)
            below.append((0.0, c, entity, len(true_records), 0))
            continue
        prof = json.loads(p.stdout)
        listed = {r["ref"] for r in prof.get("references", [])}
        hits = len(listed & true_records)
        foreign = len(listed - true_records)
        true_hits += hits
        true_total += len(true_records)
        listed_total += len(listed)
        foreign_total += foreign
        rec = hits / len(true_records)
        if rec < 0.99:
            below.append((rec, c, entity, len(true_records), hits))
        if foreign:
            with_foreign.append((foreign, c, entity, len(listed)))

    out = {
        "children": len(sample),
        "records_true": true_total,
        "records_listed": listed_total,
        "recall": true_hits / true_total if true_total else 0.0,
        "foreign_share": foreign_total / listed_total if listed_total else 0.0,
        "children_below_99": len(below),
        "profiles_with_foreign": len(with_foreign),
        "failures": failures,
        "command": " ".join(sys.argv),
    }
    if a.json:
        print(json.dumps(out, indent=2))
        return
    print(f"completeness over {out['children']} sampled children ({a.force}, {a.db})")
    print(f"  recall   {out['recall']:.4f}  ({true_hits} of {true_total} records that mention the child listed; target >= 0.99)")
    print(f"  foreign  {out['foreign_share']:.4f}  ({foreign_total} of {listed_total} listed records are someone else's; target <= 0.01)")
    print(f"  children below 99% recall: {len(below)}; profiles with a foreign record: {len(with_foreign)}; failures: {failures}")
    for rec, c, e, n, h in sorted(below)[:5]:
        print(f"    {c} -> {e or '(no entity)'}: {h} of {n} records")
    for fo, c, e, n in sorted(with_foreign, reverse=True)[:5]:
        print(f"    {c} -> {e}: {fo} of {n} listed records are not the child's")


if __name__ == "__main__":
    main()
