#!/usr/bin/env python3
"""Refresh static/vendor/ from the npm registry: the pinned front-end libraries.

    python scripts/vendor_static.py            # download, verify, write the files + VERSIONS
    python scripts/vendor_static.py --check    # offline: the files match static/vendor/VERSIONS

Each package's tarball is checked against the registry's sha512 integrity before any file
is taken from it. The `sourceMappingURL` comments are removed: the maps are not vendored,
and WhiteNoise's CompressedManifestStaticFilesStorage fails collectstatic on a reference
to a file that does not exist. static/vendor/VERSIONS records package, version, file and
the sha256 of the file as written, so a review sees exactly what changed.

To upgrade a library: change its version in PACKAGES, run the script, look at the page.
Standard library only, so it runs before the virtualenv exists.
"""

import argparse
import base64
import hashlib
import io
import json
import re
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor"
VERSIONS = VENDOR / "VERSIONS"

# package, version, {path in the tarball: path under static/vendor/}
PACKAGES = [
    (
        "bootstrap",
        "5.3.9",
        {
            "package/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
            "package/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
        },
    ),
    (
        "bootstrap-icons",
        "1.13.2",
        {
            "package/font/bootstrap-icons.min.css": "bootstrap-icons/bootstrap-icons.min.css",
            "package/font/fonts/bootstrap-icons.woff2": "bootstrap-icons/fonts/bootstrap-icons.woff2",
            "package/font/fonts/bootstrap-icons.woff": "bootstrap-icons/fonts/bootstrap-icons.woff",
        },
    ),
    ("chart.js", "4.6.1", {"package/dist/chart.umd.min.js": "chartjs/chart.umd.min.js"}),
    ("htmx.org", "2.0.11", {"package/dist/htmx.min.js": "htmx/htmx.min.js"}),
]

# `//# sourceMappingURL=…` (JS) and `/*# sourceMappingURL=… */` (CSS), on their own line.
SOURCE_MAP = re.compile(rb"\n?(//[#@] sourceMappingURL=[^\n]*|/\*[#@] sourceMappingURL=[^\n]*?\*/)")


def strip_source_maps(content: bytes) -> bytes:
    return SOURCE_MAP.sub(b"", content)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (fixed https URL)
        return response.read()


def _verify_integrity(data: bytes, integrity: str, label: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    if algorithm not in {"sha512", "sha384", "sha256"}:
        raise SystemExit(f"{label}: unsupported integrity {integrity!r}")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise SystemExit(f"{label}: tarball integrity mismatch ({algorithm})")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def vendor() -> None:
    lines = ["# package\tversion\tfile\tsha256 (written by scripts/vendor_static.py)"]
    for name, version, files in PACKAGES:
        meta = json.loads(_get(f"{REGISTRY}/{name}/{version}"))
        tarball = _get(meta["dist"]["tarball"])
        _verify_integrity(tarball, meta["dist"]["integrity"], f"{name}@{version}")
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            for member, target in files.items():
                extracted = archive.extractfile(member)
                if extracted is None:
                    raise SystemExit(f"{name}@{version}: {member} is not a file")
                content = extracted.read()
                if target.endswith((".js", ".css")):
                    content = strip_source_maps(content)
                destination = VENDOR / target
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(content)
                lines.append(f"{name}\t{version}\t{target}\t{sha256(destination)}")
                print(f"{name}@{version} -> static/vendor/{target}")
    VERSIONS.write_text("\n".join(lines) + "\n")
    print(f"wrote {VERSIONS.relative_to(VENDOR.parent.parent)}")


def check() -> int:
    """Every file listed in VERSIONS exists with its checksum and names no source map."""
    problems = []
    for line in VERSIONS.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, version, target, digest = line.split("\t")
        path = VENDOR / target
        if not path.is_file():
            problems.append(f"{target}: missing ({name}@{version})")
        elif sha256(path) != digest:
            problems.append(f"{target}: checksum differs from {name}@{version}")
        elif b"sourceMappingURL" in path.read_bytes():
            problems.append(f"{target}: still names a source map")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify offline, change nothing")
    if parser.parse_args().check:
        return check()
    vendor()
    return check()


if __name__ == "__main__":
    sys.exit(main())
