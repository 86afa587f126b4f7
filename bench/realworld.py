#!/usr/bin/env python3
"""Real-world evaluation of gomodfix on a folder of repository checkouts.

Runs `gomodfix --output-format json` (default settings) from each repository
root, records findings, errors and wall time per repository, and prints
per-rule counts.  Optionally writes every finding (--json), applies `--diff`
to count fixes per repository (--diff), and merges judgments (--judgments)
into a per-rule table `rule | findings | right | debatable | wrong`.

Usage:
  bench/realworld.py REPOS_DIR [--bin PATH] [--json OUT] [--diff]
                     [--judgments verdicts.tsv] [--timeout S] [--only NAME,...]

REPOS_DIR holds one checkout per sub-folder (the sub-folder name is the repo
key).  Judgments are TSV with a header: repo, file, line, code, verdict,
reason (verdict: right | debatable | wrong); or a JSON list of objects with
the same keys.  The key of a finding is repo + file + line + code.
"""
import argparse
import collections
import csv
import json
import os
import subprocess
import sys
import time

VERDICTS = ("right", "debatable", "wrong")


def run(cmd, cwd, timeout):
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=timeout)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = "timeout", e.stdout or b"", e.stderr or b""
    return rc, out, err, time.monotonic() - t0


def check_repo(binary, repo_dir, timeout):
    rc, out, err, dt = run([binary, "--output-format", "json", "--color", "never"], repo_dir, timeout)
    res = {"rc": rc, "time": dt, "findings": [], "errors": [], "stderr": err.decode(errors="replace")}
    crashed = rc not in (0, 1) or b"panicked" in err
    try:
        doc = json.loads(out.decode())
    except Exception as e:  # noqa: BLE001
        res["errors"].append(f"bad JSON output ({e}); rc={rc}")
        res["crash"] = True
        return res
    res["crash"] = crashed
    for e in doc.get("errors") or []:
        res["errors"].append(e if isinstance(e, str) else json.dumps(e))
    for d in doc.get("diagnostics", []):
        fix = d.get("fix") or {}
        res["findings"].append({
            "file": d["path"],
            "line": d["start"]["line"],
            "code": d["code"],
            "severity": d.get("severity"),
            "message": d.get("message"),
            "fix": fix.get("applicability") or "none",
            "fix_title": fix.get("title"),
            "fix_files": sorted({(e.get("file") or d["path"]) for e in fix.get("edits", [])}),
        })
    return res


def diff_repo(binary, repo_dir, timeout, unsafe=False):
    cmd = [binary, "--diff", "--color", "never"] + (["--unsafe-fixes"] if unsafe else [])
    rc, out, err, dt = run(cmd, repo_dir, timeout)
    text = out.decode(errors="replace")
    files = sum(1 for l in text.splitlines() if l.startswith("+++ "))
    hunks = sum(1 for l in text.splitlines() if l.startswith("@@"))
    return {"rc": rc, "time": dt, "files": files, "hunks": hunks, "patch": text,
            "stderr": err.decode(errors="replace")}


def key(repo, f, line, code):
    return (repo, f, int(line), code)


def load_judgments(path):
    j = {}
    if path.endswith(".json"):
        rows = json.load(open(path))
    else:
        with open(path, newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
    for r in rows:
        v = (r.get("verdict") or "").strip().lower()
        if v not in VERDICTS:
            continue
        j[key(r["repo"], r["file"], r["line"], r["code"])] = (v, r.get("reason", ""))
    return j


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("repos")
    ap.add_argument("--bin", default=os.environ.get("GOMODFIX", "gomodfix"))
    ap.add_argument("--json", help="write all findings (and per-repo stats) here")
    ap.add_argument("--diff", action="store_true", help="also run --diff per repo and count fixes")
    ap.add_argument("--diff-dir", help="with --diff: write each repo's patch to DIR/REPO.patch")
    ap.add_argument("--unsafe", action="store_true", help="with --diff: add --unsafe-fixes")
    ap.add_argument("--judgments", help="TSV/JSON verdicts to merge")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--only", help="comma-separated repo names")
    a = ap.parse_args()

    binary = os.path.abspath(a.bin) if os.path.exists(a.bin) else a.bin
    names = sorted(n for n in os.listdir(a.repos) if os.path.isdir(os.path.join(a.repos, n)))
    if a.only:
        keep = set(a.only.split(","))
        names = [n for n in names if n in keep]

    results = {}
    for n in names:
        r = check_repo(binary, os.path.join(a.repos, n), a.timeout)
        if a.diff:
            d = diff_repo(binary, os.path.join(a.repos, n), a.timeout, a.unsafe)
            r["diff"] = {k: v for k, v in d.items() if k != "patch"}
            if a.diff_dir:
                os.makedirs(a.diff_dir, exist_ok=True)
                open(os.path.join(a.diff_dir, n + ".patch"), "w").write(d["patch"])
        results[n] = r

    # per-rule counts
    per = collections.defaultdict(lambda: {"findings": 0, "files": set(), "repos": set(), "fix": collections.Counter()})
    for n, r in results.items():
        for f in r["findings"]:
            p = per[f["code"]]
            p["findings"] += 1
            p["files"].add((n, f["file"]))
            p["repos"].add(n)
            p["fix"][f["fix"]] += 1
    total = sum(p["findings"] for p in per.values())
    print(f"repos: {len(results)}  findings: {total}")
    print(f"{'rule':6} {'findings':>8} {'files':>6} {'repos':>6}  fixes(safe/unsafe/none)")
    for c in sorted(per):
        p = per[c]
        print(f"{c:6} {p['findings']:8} {len(p['files']):6} {len(p['repos']):6}  "
              f"{p['fix']['safe']}/{p['fix']['unsafe']}/{p['fix']['none']}")

    print("\nper repo: findings  time(s)  rc" + ("  diff-files diff-hunks" if a.diff else ""))
    for n, r in results.items():
        extra = f"  {r['diff']['files']:3} {r['diff']['hunks']:3}" if a.diff else ""
        print(f"  {n:50} {len(r['findings']):4} {r['time']:7.3f}  {r['rc']}{extra}")

    errs = [(n, e) for n, r in results.items() for e in r["errors"]]
    crashes = [n for n, r in results.items() if r.get("crash")]
    print(f"\nerrors: {len(errs)}  crashes: {len(crashes)} {crashes}")
    for n, e in errs[:50]:
        print(f"  {n}: {e[:300]}")
    for n in crashes:
        print(f"  CRASH {n}: rc={results[n]['rc']} {results[n]['stderr'][:500]}")
    times = [r["time"] for r in results.values()]
    if times:
        mx = max(results, key=lambda n: results[n]["time"])
        print(f"time: total {sum(times):.3f}s  max {results[mx]['time']:.3f}s ({mx})  "
              f"median {sorted(times)[len(times)//2]:.3f}s")

    if a.json:
        rows = [dict(repo=n, **f) for n, r in results.items() for f in r["findings"]]
        json.dump({"findings": rows,
                   "repos": {n: {k: v for k, v in r.items() if k != "findings"} for n, r in results.items()}},
                  open(a.json, "w"), indent=1)

    if a.judgments:
        j = load_judgments(a.judgments)
        tab = collections.defaultdict(collections.Counter)
        unjudged = []
        seen = set()
        for n, r in results.items():
            for f in r["findings"]:
                k = key(n, f["file"], f["line"], f["code"])
                seen.add(k)
                if k in j:
                    tab[f["code"]][j[k][0]] += 1
                else:
                    tab[f["code"]]["unjudged"] += 1
                    unjudged.append(k)
                tab[f["code"]]["findings"] += 1
        stale = [k for k in j if k not in seen]
        print(f"\n{'rule':6} | findings | right | debatable | wrong | unjudged")
        tot = collections.Counter()
        for c in sorted(tab):
            t = tab[c]
            tot.update(t)
            print(f"{c:6} | {t['findings']:8} | {t['right']:5} | {t['debatable']:9} | {t['wrong']:5} | {t['unjudged']:8}")
        print(f"{'total':6} | {tot['findings']:8} | {tot['right']:5} | {tot['debatable']:9} | {tot['wrong']:5} | {tot['unjudged']:8}")
        if unjudged:
            print(f"unjudged: {len(unjudged)}, e.g. {unjudged[:5]}")
        if stale:
            print(f"verdicts matching no finding: {len(stale)}, e.g. {stale[:5]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
