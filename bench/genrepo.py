#!/usr/bin/env python3
"""Generate a synthetic monorepo of N Dockerfiles in realistic shapes, each with its build context
(go.mod, go.sum, sources, sometimes .dockerignore, vendor/ or go.work). Deterministic for a seed.

Usage: python3 bench/genrepo.py OUT_DIR [N] [SEED]
"""
import os
import random
import sys

GOSUM = "github.com/google/uuid v1.6.0 h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=\n"
MAIN = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("ok") }\n'

SHAPES = [
    # copy-all-first, single stage
    "FROM golang:{go}\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n",
    # recommended multi-stage with ARG
    "ARG GO_VERSION={go}\nFROM golang:${{GO_VERSION}}-alpine AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -trimpath -o /out/app ./cmd/app\n\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/app /app\nUSER nonroot\nENTRYPOINT [\"/app\"]\n",
    # cross compile
    "FROM --platform=$BUILDPLATFORM golang:{go} AS builder\nARG TARGETOS TARGETARCH\nWORKDIR /workspace\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \\\n    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/manager ./cmd\n\nFROM scratch\nCOPY --from=builder /out/manager /manager\nENTRYPOINT [\"/manager\"]\n",
    # gopath style, old
    "FROM golang:1.15\nENV GO111MODULE on\nWORKDIR /go/src/github.com/acme/svc{n}\nADD . .\nRUN go get -d -v ./... && go install -v ./...\nCMD [\"svc{n}\"]\n",
    # prebuilt binary, no Go
    "FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\nCOPY bin/svc /usr/local/bin/svc\nENTRYPOINT [\"svc\"]\n",
    # make-driven, comments, continuations
    "# syntax=docker/dockerfile:1\n# Build\nFROM golang:{go}-bookworm AS build\nWORKDIR /app\nCOPY . .\nRUN apt-get update && \\\n    # tools for the build\n    apt-get install -y --no-install-recommends make git && \\\n    make build\n\nFROM debian:bookworm-slim\nCOPY --from=build /app/bin/svc /usr/local/bin/svc\nCMD [\"svc\"]\n",
    # heredoc
    "FROM golang:{go} AS build\nWORKDIR /src\nCOPY . .\nRUN <<EOF\nset -e\ngo vet ./...\ngo build -o /out/app .\nEOF\n\nFROM scratch\nCOPY --from=build /out/app /app\n",
]


def main() -> None:
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, ".gitignore"), "w") as f:
        f.write("bin/\n")
    for i in range(n):
        d = os.path.join(out, "services", f"team{i % 50:02d}", f"svc{i:05d}")
        os.makedirs(d, exist_ok=True)
        go = rng.choice(["1.21", "1.22", "1.23"])
        shape = rng.randrange(len(SHAPES))
        files = {
            "Dockerfile": SHAPES[shape].format(go=go, n=i),
            "go.mod": f"module github.com/acme/svc{i}\n\ngo {rng.choice(['1.21', '1.22', '1.23'])}\n\nrequire github.com/google/uuid v1.6.0\n",
            "main.go": MAIN,
        }
        if rng.random() < 0.9:
            files["go.sum"] = GOSUM
        if rng.random() < 0.45:
            files[".dockerignore"] = rng.choice([".git\n*.md\n", "*\n!*.go\n!go.mod\n", "**/*.sum\nbin/\n", "vendor\n"])
        if rng.random() < 0.13:
            files["vendor/modules.txt"] = "# github.com/google/uuid v1.6.0\n## explicit\ngithub.com/google/uuid\n"
        if rng.random() < 0.3:
            files["cmd/app/main.go"] = MAIN
        for name, text in files.items():
            p = os.path.join(d, name)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(text)


if __name__ == "__main__":
    main()
