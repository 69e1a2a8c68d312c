#!/usr/bin/env python3
"""report.py - turn one bench/run work directory into RUN.json and RUN.md, or check a RUN.json.

Usage: bench/report.py WORKDIR OUT.json OUT.md
       bench/report.py --check RUN.json

bench/run leaves, per force, one file group per stage: NAME.cmd (the command
line), NAME.out / NAME.err, NAME.rc (exit status), NAME.time (/usr/bin/time:
wall, user, sys, peak RSS), NAME.na (not available: the reason) and
NAME.cache (whether the page cache was dropped before it). This script reads
them and nothing else, so every figure in RUN.json sits beside the command
that produced it.

--check validates a RUN.json (the shape below, numbers where numbers belong,
every stage ok / failed / not available): exit 0 when well formed, 1 with the
first problem otherwise. It never judges a timing; CI runs it.
"""
import json
import os
import sys

SCHEMA = "cpindex-bench/1"
SILOS = ("niche", "miraf", "mace", "marac", "polit", "soc")
QUESTIONS = ("child", "missing", "address")
STATUSES = ("ok", "failed", "not available")

# The issue's targets, judged on the largest force run (about 1M records when
# the full set ran). "measured" is None when the stage was not available.
TARGETS = (  # key, text, comparison, limit, decimals shown
    ("ingest", "ingest >= 200,000 records/s (overall, wall)", ">=", 200000.0, 0),
    ("resolve", "resolve 1M mentions <= 60 s (wall)", "<=", 60.0, 1),
    ("profile_inproc", "child profile p99 <= 1 ms in-process (warm, full)", "<=", 1.0, 3),
    ("profile_cli", "child profile p99 <= 10 ms as a CLI process (warm)", "<=", 10.0, 1),
    ("profile_cli_served", "child profile p99 <= 10 ms as a CLI process (warm, `cpindex serve` running)", "<=", 10.0, 1),
    ("vs_pg", ">= 10x faster than PostgreSQL on the child profile (p50 and p99, edge-table SQL)", ">=", 10.0, 2),
    ("peak_memory", "peak memory <= 4 GB (any cpindex process; GiB)", "<=", 4.0, 2),
)


def read(path, default=None):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default


def read_json(path):
    """The last line of a file that parses as JSON (tools print one line), or None."""
    text = read(path)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    for line in reversed(text.strip().splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return None


class Size:
    """One force's directory."""

    def __init__(self, path):
        self.path = path
        self.failures = []

    def f(self, name, ext):
        return os.path.join(self.path, f"{name}.{ext}")

    def stage(self, name):
        """The stage's status, command, exit status and /usr/bin/time figures."""
        na = read(self.f(name, "na"))
        if na is not None:
            return {"status": "not available", "reason": na.strip()}
        rc = read(self.f(name, "rc"))
        if rc is None:
            return {"status": "not available", "reason": "not run (an earlier stage failed or was skipped)"}
        st = {"status": "ok" if rc.strip() == "0" else "failed", "exit": int(rc.strip() or -1),
              "command": (read(self.f(name, "cmd")) or "").strip()}
        t = read_json(self.f(name, "time"))
        if isinstance(t, dict):
            st.update(t)
        cache = read(self.f(name, "cache"))
        if cache is not None:
            st["page_cache"] = cache.strip()
        if st["status"] == "failed":
            err = (read(self.f(name, "err")) or "").strip().splitlines()[-3:]
            st["error"] = " / ".join(err)
            self.failures.append({"stage": name, "exit": st["exit"], "error": st["error"]})
        return st

    def out(self, name):
        return read_json(self.f(name, "out"))


def num(x):
    return x if isinstance(x, (int, float)) and not isinstance(x, bool) else None


def ingest(sz):
    silos, tot_rec, tot_sec, tot_cpu, rss = {}, 0, 0.0, 0.0, 0
    ok = True
    for s in SILOS:
        st = sz.stage(f"ingest_{s}")
        j = sz.out(f"ingest_{s}") if st["status"] == "ok" else None
        if not isinstance(j, dict):
            silos[s] = st
            ok = False
            continue
        cpu = (st.get("user_s") or 0) + (st.get("sys_s") or 0)
        rec, sec = j.get("read", 0), j.get("seconds", 0.0)
        silos[s] = {"status": "ok", "command": st["command"], "records": rec, "seconds": sec,
                    "records_per_s": rec / sec if sec else None, "cpu_s": cpu,
                    "records_per_cpu_s": rec / cpu if cpu else None, "stored": j.get("stored"),
                    "rejected": j.get("rejected"), "max_rss_kb": st.get("max_rss_kb")}
        tot_rec += rec
        tot_sec += sec
        tot_cpu += cpu
        rss = max(rss, st.get("max_rss_kb") or 0)
    overall = {"records": tot_rec, "seconds": tot_sec, "records_per_s": tot_rec / tot_sec if tot_sec else None,
               "cpu_s": tot_cpu, "records_per_cpu_s": tot_rec / tot_cpu if tot_cpu else None,
               "max_rss_kb": rss, "complete": ok}
    return {"silos": silos, "overall": overall}


def resolve(sz, entities):
    st = sz.stage("resolve")
    j = sz.out("resolve") if st["status"] == "ok" else None
    if isinstance(j, dict):
        kinds = j.get("kinds", {})
        st["mentions"] = j.get("mentions")
        st["pairs_by_kind"] = {k: v.get("pairs") for k, v in kinds.items()}
        st["candidate_pairs"] = sum(v.get("pairs") or 0 for v in kinds.values())
        st["entities_by_kind"] = {k: v.get("entities") for k, v in kinds.items()}
        st["seconds_by_phase"] = j.get("seconds")
    st["entities_from"] = entities
    return st


def graph(sz):
    out = {}
    oracle = sz.stage("oracle")
    if oracle["status"] != "not available":
        oracle["note"] = "entities written from cpgen's truth (bench/oracle_entities), graph built with them"
        out["oracle"] = oracle
    st = sz.stage("graph")
    j = sz.out("graph") if st["status"] == "ok" else None
    if isinstance(j, dict):
        st.update({k: v for k, v in j.items()})
    out["graph"] = st
    return out


def pairwise(j):
    if not isinstance(j, dict) or "pairwise" not in j:
        return None
    keep = ("precision", "recall", "f1", "true_pairs", "predicted_pairs", "correct_pairs")
    pw = {k: {x: v.get(x) for x in keep} for k, v in j["pairwise"].items() if isinstance(v, dict)}
    cl = j.get("clusters", {})
    fm = j.get("child_false_merges") or {}
    hard = {k: {x: v.get(x) for x in ("pairs", "merged")} for k, v in (j.get("hard_pairs") or {}).items()}
    return {"pairwise": pw, "clusters": cl, "child_false_merges": fm.get("clusters"),
            "child_false_merge_pairs": fm.get("wrong_pairs_with_child"), "hard_pairs": hard}


def accuracy(sz):
    out = {}
    for key, ev, extra in (("resolver", "eval", "export_entities"), ("baseline_name_dob", "eval_baseline", "baseline"),
                           ("baseline_identifiers", "eval_baseline_ids", "baseline_ids")):
        st = sz.stage(ev)
        if extra:
            pre = sz.stage(extra)
            if pre["status"] == "ok":
                st["made_by"] = pre["command"]
        figures = pairwise(sz.out(ev)) if st["status"] == "ok" else None
        if figures:
            st.update(figures)
        out[key] = st
    return out


def latency(sz, name):
    st = sz.stage(name)
    j = sz.out(name) if st["status"] == "ok" else None
    if isinstance(j, dict):
        if "total" in j:  # cpi-query-bench run: total and build alone
            st.update(j["total"])
            st["build_only"] = j.get("build")
            st["cpu"] = j.get("cpu")
            st["mean_bytes"] = j.get("mean_bytes")
        else:
            st.update(j)
    return st


def queries(sz):
    inproc = {
        "child_full": {"warm": latency(sz, "q_child_full_warm"), "cold": latency(sz, "q_child_cold")},
        "child_brief": {"warm": latency(sz, "q_child_brief_warm")},
        "missing": {"warm": latency(sz, "q_missing_warm"), "cold": latency(sz, "q_missing_cold")},
        "address": {"warm": latency(sz, "q_address_warm"), "cold": latency(sz, "q_address_cold")},
    }
    cli = {q: {"warm": latency(sz, f"cli_{q}_warm")} for q in QUESTIONS}
    cli["child"]["cold"] = latency(sz, "cli_child_cold")
    cli["child"]["served"] = latency(sz, "cli_child_served")
    cli["floor"] = latency(sz, "cli_floor")
    notes = {}
    for n in ("queries", "cli", "cold"):
        r = read(sz.f(n, "na"))
        if r:
            notes[n] = r.strip()
    return {"targets": sz.stage("targets"), "in_process": inproc, "cli": cli, "not_available": notes}


def pg(sz, q):
    na = read(sz.f("pg", "na"))
    if na is not None:
        return {"status": "not available", "reason": na.strip()}
    out = {"status": "ok", "version": (read(sz.f("pg_version", "txt")) or "").strip()}
    load = sz.stage("pg_load")
    j = sz.out("pg_load") if load["status"] == "ok" else None
    if isinstance(j, dict):
        load.update(j)
    size = read(sz.f("pg_size", "kib"))
    if size:
        load["data_dir_kib"] = int(size)
    out["load"] = load
    out["edges"] = {"warm": latency(sz, "pg_edges_warm"), "cold": latency(sz, "pg_edges_cold")}
    out["joins"] = {"warm": latency(sz, "pg_joins_warm")}
    for s in ("pg_init", "pg_start", "pg_stop"):
        st = sz.stage(s)
        if st["status"] == "failed":
            out["status"] = "failed"
    cpi = q["in_process"]["child_full"]
    ratios = {}
    for form in ("edges", "joins"):
        for cache in ("warm", "cold"):
            p, c = out[form].get(cache, {}), cpi.get(cache, {})
            r = {}
            for pct in ("p50_ms", "p95_ms", "p99_ms", "mean_ms"):
                if num(p.get(pct)) and num(c.get(pct)):
                    r[pct.replace("_ms", "")] = p[pct] / c[pct]
            if r:
                ratios[f"{form}_{cache}"] = r
    out["ratio_pg_over_cpindex"] = ratios
    return out


def build_size(path):
    sz = Size(path)
    children = int((read(os.path.join(path, "children")) or "0").strip() or 0)
    manifest = read_json(os.path.join(path, "manifest.json")) or {}
    totals = manifest.get("totals", {})
    entities = (read(os.path.join(path, "entities")) or "none").strip()
    res = {"children": children, "records": totals.get("rows"),
           "good_records": totals.get("records"), "mentions_in_truth": totals.get("mentions")}
    gen = sz.stage("gen")
    res["gen"] = gen
    res["ingest"] = ingest(sz)
    res["resolve"] = resolve(sz, entities)
    res.update(graph(sz))
    res["accuracy"] = accuracy(sz)
    res["pg_export"] = sz.stage("pg_export")
    if res["pg_export"]["status"] == "ok":
        res["pg_export"].update(sz.out("pg_export") or {})
    rec = res["ingest"]["overall"]["records"] or res["records"] or 0
    st = {}
    for k in ("size_ingest", "size_final"):
        v = read(os.path.join(path, f"{k}.kib"))
        if v and v.strip().isdigit():
            st[k.replace("size_", "kib_after_")] = int(v)
    kib = st.get("kib_after_final") or st.get("kib_after_ingest")
    st["gib_per_million_records"] = kib / 1048576 / rec * 1e6 if kib and rec else None
    st["command"] = "du -sk STORE (blocks in use: data.mdb is sparse up to the map size)"
    res["store"] = st
    res["queries"] = queries(sz)
    res["pg"] = pg(sz, res["queries"])
    if isinstance(res["pg"].get("load"), dict) and res["pg"]["load"].get("data_dir_kib") and rec:
        res["pg"]["load"]["gib_per_million_records"] = res["pg"]["load"]["data_dir_kib"] / 1048576 / rec * 1e6
    # Peak memory over cpindex's own processes (not cpgen, PostgreSQL, Python or cpi-eval).
    peaks = {}
    for name in [f"ingest_{s}" for s in SILOS] + ["resolve", "graph", "oracle", "q_child_full_warm", "q_child_cold",
                                                  "q_missing_warm", "q_address_warm", "cli_child_warm",
                                                  "cli_missing_warm", "cli_address_warm", "cli_child_served",
                                                  "pg_export"]:
        t = read_json(sz.f(name, "time"))
        if isinstance(t, dict) and num(t.get("max_rss_kb")) and read(sz.f(name, "rc"), "").strip() == "0":
            peaks[name] = t["max_rss_kb"]
    res["peak_rss"] = {"max_kb": max(peaks.values()) if peaks else None,
                       "stage": max(peaks, key=peaks.get) if peaks else None, "kb_by_stage": peaks}
    res["failures"] = sz.failures
    return res


def judge(sizes):
    """Each target against the largest force run."""
    out = []
    if not sizes:
        return out
    big = max(sizes, key=lambda s: s["children"])
    scale = f"{big['records'] or 0:,} records (cpgen --children {big['children']})"
    full = big["children"] >= 100000
    for key, text, op, limit, decimals in TARGETS:
        m, note = None, ""
        if key == "ingest":
            m = big["ingest"]["overall"]["records_per_s"]
        elif key == "resolve":
            r = big["resolve"]
            m = r.get("wall_s") if r["status"] == "ok" else None
            note = (f"{r.get('mentions'):,} mentions" if r.get("mentions") else r.get("reason", ""))
        elif key == "profile_inproc":
            m = big["queries"]["in_process"]["child_full"]["warm"].get("p99_ms")
        elif key == "profile_cli":
            m = big["queries"]["cli"]["child"]["warm"].get("p99_ms")
        elif key == "profile_cli_served":
            m = big["queries"]["cli"]["child"].get("served", {}).get("p99_ms")
        elif key == "vs_pg":
            r = big["pg"].get("ratio_pg_over_cpindex", {}).get("edges_warm", {})
            if num(r.get("p50")) and num(r.get("p99")):
                m = min(r["p50"], r["p99"])
                note = f"p50 {r['p50']:.2f}x, p99 {r['p99']:.2f}x"
            else:
                note = big["pg"].get("reason", "")
        elif key == "peak_memory":
            p = big["peak_rss"]
            m = p["max_kb"] / 1048576 if p["max_kb"] else None
            note = f"largest: {p['stage']}" if p["stage"] else ""
        met = None if m is None else (m >= limit if op == ">=" else m <= limit)
        out.append({"target": text, "key": key, "limit": limit, "op": op, "measured": m, "decimals": decimals,
                    "met": met,
                    "at": scale, "at_full_scale": full, "note": note})
    return out


def build(work):
    machine = read_json(os.path.join(work, "machine.json")) or {}
    end = read_json(os.path.join(work, "end.json")) or {}
    sizes = []
    for d in sorted(os.listdir(work)):
        p = os.path.join(work, d)
        if d.startswith("children-") and os.path.isdir(p):
            sizes.append(build_size(p))
    sizes.sort(key=lambda s: s["children"])
    machine["load_end"] = end.get("load_end")
    return {"schema": SCHEMA, "run_id": machine.get("run_id"), "label": machine.get("label"),
            "started": machine.get("started"), "finished": end.get("finished"),
            "crashed": bool(end.get("crashed")), "machine": machine, "sizes": sizes, "targets": judge(sizes)}


# ------------------------------------------------------------------ markdown

def fmt(x, nd=2, unit=""):
    if x is None:
        return "n/a"
    if isinstance(x, float):
        return f"{x:,.{nd}f}{unit}"
    return f"{x:,}{unit}"


def lat_cell(st):
    if st.get("status") != "ok" or not num(st.get("p50_ms")):
        return "n/a"
    return f"{st['p50_ms']:.3f} / {st['p95_ms']:.3f} / {st['p99_ms']:.3f} / {st['max_ms']:.3f}"


def markdown(run):
    m = run["machine"]
    L = [f"# cpindex benchmark {run['run_id']}", "",
         f"Machine: {m.get('cores')} cores ({m.get('cpu')}), {m.get('mem_kib', 0) / 1048576:.1f} GiB, "
         f"kernel {m.get('kernel')}; load average {m.get('load_start')} at start, {m.get('load_end')} at end "
         f"(a shared machine: read ratios, not absolutes). Build {m.get('build_type')} at {m.get('git')}. "
         f"Every figure's command is in the JSON beside it.", ""]
    L += ["## Targets (judged on the largest force run)", "", "| target | measured | met | note |", "|---|---|---|---|"]
    for t in run["targets"]:
        met = {True: "yes", False: "**no**", None: "not measured"}[t["met"]]
        if t["met"] is not None and not t["at_full_scale"]:
            met += " (not at 1M)"
        note = f"{t['at']}; {t['note']}" if t["note"] else t["at"]
        L.append(f"| {t['target']} | {fmt(t['measured'], t['decimals'])} | {met} | {note} |")
    for s in run["sizes"]:
        ing, res, q, p = s["ingest"]["overall"], s["resolve"], s["queries"], s["pg"]
        L += ["", f"## {fmt(s['records'])} records (cpgen --seed 1 --children {s['children']} --messiness 1 "
                  f"--bad-rows 5)", ""]
        L += ["| figure | value |", "|---|---|"]
        L.append(f"| ingest, all silos | {fmt(ing['records_per_s'], 0)} records/s wall, "
                 f"{fmt(ing['records_per_cpu_s'], 0)} per cpu-s ({fmt(ing['records'])} rows in "
                 f"{fmt(ing['seconds'], 2)} s) |")
        per = ", ".join(f"{k} {fmt(v.get('records_per_s'), 0)}" for k, v in s["ingest"]["silos"].items()
                        if v.get("status") == "ok")
        L.append(f"| ingest per silo, records/s | {per or 'n/a'} |")
        if res["status"] == "ok":
            L.append(f"| resolve | {fmt(res.get('wall_s'), 1)} s wall, {fmt(res.get('candidate_pairs'))} candidate "
                     f"pairs compared, {fmt(res.get('mentions'))} mentions, peak RSS "
                     f"{fmt((res.get('max_rss_kb') or 0) / 1024, 0)} MiB |")
        else:
            L.append(f"| resolve | {res['status']}: {res.get('reason') or res.get('error', '')} |")
        g = s.get("graph", {})
        if g.get("status") == "ok":
            L.append(f"| graph build | {fmt(g.get('wall_s'), 1)} s wall"
                     f"{'' if g.get('built', True) else ' (already built by resolve)'}, peak RSS "
                     f"{fmt((g.get('max_rss_kb') or 0) / 1024, 0)} MiB |")
        if "oracle" in s:
            L.append(f"| entities | from cpgen's truth (oracle, {fmt(s['oracle'].get('wall_s'), 1)} s): the resolver "
                     f"was not available |")
        st = s["store"]
        L.append(f"| store on disk | {fmt((st.get('kib_after_final') or 0) / 1024, 1)} MiB "
                 f"({fmt(st.get('gib_per_million_records'), 2)} GiB per million records) |")
        acc = s["accuracy"]
        for key, label in (("resolver", "linkage, cpindex"), ("baseline_identifiers", "baseline: exact identifiers"),
                           ("baseline_name_dob", "baseline: name + DOB only")):
            a = acc[key]
            if a.get("status") == "ok" and a.get("pairwise"):
                pw = a["pairwise"]
                cells = "; ".join(f"{k} P {fmt(pw[k]['precision'], 3)} R {fmt(pw[k]['recall'], 3)} F1 "
                                  f"{fmt(pw[k]['f1'], 3)}" for k in ("person", "location") if k in pw)
                hard = a.get("hard_pairs") or {}
                if key == "resolver" and hard:
                    cells += "; merged (must be 0): " + ", ".join(
                        f"{k.replace('_', ' ')} {v.get('merged')} of {v.get('pairs')}" for k, v in hard.items())
                L.append(f"| {label} | {cells} |")
            else:
                L.append(f"| {label} | {a['status']}: {a.get('reason') or a.get('error', '')} |")
        L.append(f"| peak RSS (cpindex) | {fmt((s['peak_rss']['max_kb'] or 0) / 1024, 0)} MiB "
                 f"({s['peak_rss']['stage']}) |")
        L += ["", "Latency, ms: p50 / p95 / p99 / max over the targets (in-process: lookup, build, JSON text).", "",
              "| question | in-process warm | in-process cold | CLI process warm | CLI process cold |",
              "|---|---|---|---|---|"]
        ip, cl = q["in_process"], q["cli"]
        L.append(f"| child profile (full) | {lat_cell(ip['child_full']['warm'])} | "
                 f"{lat_cell(ip['child_full']['cold'])} | {lat_cell(cl['child']['warm'])} | "
                 f"{lat_cell(cl['child'].get('cold', {}))} |")
        L.append(f"| child profile (full), `cpindex serve` running | | | "
                 f"{lat_cell(cl['child'].get('served', {}))} | |")
        L.append(f"| child profile (brief) | {lat_cell(ip['child_brief']['warm'])} | n/a | n/a | n/a |")
        L.append(f"| missing-child trigger plan | {lat_cell(ip['missing']['warm'])} | "
                 f"{lat_cell(ip['missing']['cold'])} | {lat_cell(cl['missing']['warm'])} | n/a |")
        L.append(f"| address report | {lat_cell(ip['address']['warm'])} | {lat_cell(ip['address']['cold'])} | "
                 f"{lat_cell(cl['address']['warm'])} | n/a |")
        L.append(f"| floor: `cpindex --version` | | | {lat_cell(cl['floor'])} | |")
        if p["status"] == "not available":
            L.append(f"| PostgreSQL child profile | not available: {p['reason']} | | | |")
        else:
            L.append(f"| PostgreSQL, edge table (libpq) | {lat_cell(p['edges']['warm'])} | "
                     f"{lat_cell(p['edges']['cold'])} | | |")
            L.append(f"| PostgreSQL, joins at query time | {lat_cell(p['joins']['warm'])} | n/a | | |")
            r = p.get("ratio_pg_over_cpindex", {})
            parts = [f"{k.replace('_', ' ')}: p50 {v.get('p50', 0):.2f}x, p99 {v.get('p99', 0):.2f}x"
                     for k, v in r.items()]
            L += ["", "PostgreSQL time / cpindex in-process time (child profile, same targets): " +
                  ("; ".join(parts) if parts else "n/a") + "."]
        w = ip["child_full"]["warm"]
        if w.get("status") == "ok" and isinstance(w.get("build_only"), dict) and isinstance(w.get("cpu"), dict):
            b, c = w["build_only"], w["cpu"]
            L += ["", f"Child profile in-process, warm: building the profile alone p50 {b['p50_ms']:.3f} ms, p99 "
                      f"{b['p99_ms']:.3f} ms (the rest is the lookup and the JSON text, {w.get('mean_bytes')} bytes "
                      f"on average); the thread's CPU time p50 {c['p50_ms']:.3f} ms, p99 {c['p99_ms']:.3f} ms "
                      f"(wall time above also holds waiting for a core)."]
        notes = q.get("not_available", {})
        if notes:
            L += ["", "Not available: " + "; ".join(f"{k}: {v}" for k, v in notes.items()) + "."]
        if s["failures"]:
            L += ["", "Failed stages: " + "; ".join(f"{f['stage']} (exit {f['exit']}): {f['error']}"
                                                   for f in s["failures"]) + "."]
    return "\n".join(L) + "\n"


# --------------------------------------------------------------------- check

def check(run):
    """The first problem with a RUN.json, or None."""
    if not isinstance(run, dict) or run.get("schema") != SCHEMA:
        return f"schema is not {SCHEMA}"
    for k in ("run_id", "machine", "sizes", "targets"):
        if k not in run:
            return f"missing {k}"
    if not isinstance(run["sizes"], list) or not run["sizes"]:
        return "no sizes"
    m = run["machine"]
    if not (isinstance(m.get("cores"), int) and isinstance(m.get("mem_kib"), int)):
        return "machine: cores and mem_kib must be integers"

    def walk(x, path):
        if isinstance(x, dict):
            if "status" in x and x["status"] not in STATUSES:
                return f"{path}: status {x['status']!r}"
            if x.get("status") == "ok" and "command" in x and not x["command"]:
                return f"{path}: ok without its command"
            for k, v in x.items():
                if k.endswith(("_ms", "_s", "_kb", "_kib")) and v is not None and num(v) is None:
                    return f"{path}.{k}: {v!r} is not a number"
                if k.endswith("_ms") and num(v) is not None and v < 0:
                    return f"{path}.{k}: negative"
                e = walk(v, f"{path}.{k}")
                if e:
                    return e
        elif isinstance(x, list):
            for i, v in enumerate(x):
                e = walk(v, f"{path}[{i}]")
                if e:
                    return e
        elif isinstance(x, float) and x != x:
            return f"{path}: NaN"
        return None

    for i, s in enumerate(run["sizes"]):
        for k in ("children", "ingest", "resolve", "accuracy", "store", "queries", "pg", "peak_rss", "failures"):
            if k not in s:
                return f"sizes[{i}]: missing {k}"
        if s["gen"].get("status") != "ok":
            return f"sizes[{i}]: cpgen did not run"
        if not s["ingest"]["overall"]["complete"]:
            return f"sizes[{i}]: ingest incomplete"
        for q in ("child_full", "missing", "address"):
            w = s["queries"]["in_process"][q]["warm"]
            if w.get("status") == "ok" and not (isinstance(w.get("n"), int) and w["n"] > 0 and
                                                num(w.get("p99_ms")) is not None):
                return f"sizes[{i}].queries.{q}: ok without latencies"
    e = walk(run, "run")
    if e:
        return e
    for t in run["targets"]:
        if t["met"] not in (True, False, None):
            return f"target {t['key']}: met is {t['met']!r}"
    return None


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        try:
            with open(sys.argv[2], encoding="utf-8") as f:
                run = json.load(f)
        except (OSError, ValueError) as e:
            print(f"report.py --check: {sys.argv[2]}: {e}", file=sys.stderr)
            return 1
        problem = check(run)
        if problem:
            print(f"report.py --check: {sys.argv[2]}: {problem}", file=sys.stderr)
            return 1
        return 0
    if len(sys.argv) != 4:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    run = build(sys.argv[1])
    problem = check(run)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(run, f, indent=1)
        f.write("\n")
    with open(sys.argv[3], "w", encoding="utf-8") as f:
        f.write(markdown(run))
    if problem:
        print(f"report.py: {sys.argv[2]}: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
