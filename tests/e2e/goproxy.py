"""Build a file-based Go module proxy (GOPROXY=file:///…) from module sources in modules/.

Layout per https://go.dev/ref/mod#goproxy-protocol: <module>/@v/list, <version>.info, .mod, .zip,
the zip holding every file under the prefix `<module>@<version>/`. Zip metadata is fixed, so the
same sources always give the same archive (and the same go.sum hashes).
"""
import json
import os
import sys
import zipfile

MODULES = {"example.com/greet": ("v1.0.0", "greet")}


def build(out_dir: str, sources: str) -> None:
    for module, (version, folder) in MODULES.items():
        src = os.path.join(sources, folder)
        vdir = os.path.join(out_dir, *module.split("/"), "@v")
        os.makedirs(vdir, exist_ok=True)
        with open(os.path.join(vdir, "list"), "w") as f:
            f.write(version + "\n")
        with open(os.path.join(vdir, version + ".info"), "w") as f:
            json.dump({"Version": version, "Time": "2024-01-01T00:00:00Z"}, f)
        with open(os.path.join(src, "go.mod")) as f:
            gomod = f.read()
        with open(os.path.join(vdir, version + ".mod"), "w") as f:
            f.write(gomod)
        with zipfile.ZipFile(os.path.join(vdir, version + ".zip"), "w") as z:
            for name in sorted(os.listdir(src)):
                info = zipfile.ZipInfo(f"{module}@{version}/{name}", date_time=(2024, 1, 1, 0, 0, 0))
                with open(os.path.join(src, name), "rb") as f:
                    z.writestr(info, f.read())


if __name__ == "__main__":
    build(sys.argv[1], os.path.join(os.path.dirname(os.path.abspath(__file__)), "modules"))
