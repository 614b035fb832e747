"""Checks that every place stating the release version agrees with Cargo.toml's.

The one version is `[workspace.package] version` in Cargo.toml: the crates inherit it, the
wheel reads it through maturin (pyproject's version is dynamic). The places that must repeat
it are checked here, by `make lint`: the workspace's path dependencies, the npm packages
(main, its optionalDependencies, every platform package), the C header's version macros and
CHANGELOG.md's newest release. Run from the repository root; exits 1 naming each mismatch.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import tomllib


def main() -> int:
    cargo = tomllib.loads(Path("Cargo.toml").read_text())
    version = cargo["workspace"]["package"]["version"]
    found: list[tuple[str, str | None]] = []

    for name, dep in cargo["workspace"]["dependencies"].items():
        if isinstance(dep, dict) and "path" in dep:
            found.append((f"Cargo.toml: workspace dependency {name}", dep.get("version")))

    pyproject = tomllib.loads(Path("py/pyproject.toml").read_text())
    if "version" in pyproject["project"]:
        found.append(("py/pyproject.toml: [project] version (must be dynamic)", pyproject["project"]["version"]))

    main_pkg = json.loads(Path("node/package.json").read_text())
    found.append(("node/package.json: version", main_pkg.get("version")))
    for name, wanted in main_pkg.get("optionalDependencies", {}).items():
        found.append((f"node/package.json: optionalDependencies {name}", wanted))
    for manifest in sorted(Path("node/npm").glob("*/package.json")):
        found.append((f"{manifest}: version", json.loads(manifest.read_text()).get("version")))

    header = Path("include/pleo_installations.h").read_text()
    macros = dict(re.findall(r"#define (PLEO_VERSION_\w+) (\S+)", header))
    major, minor, patch = version.split("-")[0].split(".")
    # PLEO_VERSION_STRING and PLEO_VERSION_NUMBER are spelled from these three.
    for macro, wanted in [("PLEO_VERSION_MAJOR", major), ("PLEO_VERSION_MINOR", minor), ("PLEO_VERSION_PATCH", patch)]:
        value = macros.get(macro)
        found.append(
            (
                f"include/pleo_installations.h: {macro}",
                None if value is None else (version if value == wanted else value),
            )
        )

    releases = re.findall(r"^## \[(\d[^\]]*)\]", Path("CHANGELOG.md").read_text(), re.MULTILINE)
    found.append(("CHANGELOG.md: newest release heading", releases[0] if releases else None))

    wrong = [(place, value) for place, value in found if value != version]
    for place, value in wrong:
        stated = "missing" if value is None else repr(value)
        print(f"version mismatch: {place} is {stated}, Cargo.toml says {version!r}", file=sys.stderr)
    if not wrong:
        print(f"version {version}: {len(found)} places agree")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
