#!/usr/bin/env bash
# Stages the two npm packages a Linux x64 (glibc) user installs, ready for `npm pack`:
#   OUT/main           pleo-installations: the JavaScript, the types, the loader, no binary
#   OUT/linux-x64-gnu  pleo-installations-linux-x64-gnu: node/npm/linux-x64-gnu/ and the addon
# each with LICENSE-MIT and LICENSE-APACHE, the platform package also with the third-party
# notices when given. Fails when a manifest's version, or the main package's pin of a platform
# package, is not VERSION. Nothing is written into node/.
# Args: OUT ADDON VERSION [THIRD_PARTY_LICENSES]
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 OUT ADDON VERSION [THIRD_PARTY_LICENSES]" >&2; exit 2; }
out=$1 addon=$2 version=$3 notices=${4:-}
node_dir="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(dirname "$node_dir")"
platform=linux-x64-gnu

[ -f "$addon" ] || { echo "no addon at $addon" >&2; exit 1; }
[ -z "$notices" ] || [ -f "$notices" ] || { echo "no third-party licence file at $notices" >&2; exit 1; }

# Every version the two packages state: the main one, its pins of all platform packages, and
# every committed platform manifest (the ones the release workflow publishes too).
node - "$node_dir" "$version" <<'EOF'
const fs = require('fs');
const path = require('path');
const [dir, version] = process.argv.slice(2);
const read = (file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
const main = read('package.json');
const problems = [];
if (main.version !== version) problems.push(`package.json: version ${main.version}`);
const pins = main.optionalDependencies || {};
for (const platform of fs.readdirSync(path.join(dir, 'npm')).sort()) {
  const manifest = read(`npm/${platform}/package.json`);
  if (manifest.version !== version) problems.push(`npm/${platform}/package.json: version ${manifest.version}`);
  if (pins[manifest.name] !== version) problems.push(`package.json: optionalDependencies["${manifest.name}"] is ${pins[manifest.name]}`);
}
for (const name of Object.keys(pins)) {
  if (!fs.existsSync(path.join(dir, 'npm', name.replace(/^pleo-installations-/, ''), 'package.json'))) {
    problems.push(`package.json: optionalDependencies names ${name}, which has no node/npm/ folder`);
  }
}
if (problems.length) {
  console.error(`node/: not every package states version ${version}:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
EOF

rm -rf "${out:?}/main" "${out:?}/${platform:?}"
mkdir -p "$out/main/native" "$out/$platform"

# The main package: what its `files` lists, copied so that the licences can sit beside it
# and no local .node of node/native/ can slip in.
cp "$node_dir/package.json" "$node_dir/README.md" "$out/main/"
cp -r "$node_dir/lib" "$out/main/lib"
cp "$node_dir/native/index.js" "$node_dir/native/index.d.ts" "$out/main/native/"
cp "$repo/LICENSE-MIT" "$repo/LICENSE-APACHE" "$out/main/"

cp "$node_dir/npm/$platform/package.json" "$node_dir/npm/$platform/README.md" "$out/$platform/"
cp "$addon" "$out/$platform/pleo-installations.$platform.node"
cp "$repo/LICENSE-MIT" "$repo/LICENSE-APACHE" "$out/$platform/"
[ -z "$notices" ] || cp "$notices" "$out/$platform/THIRD-PARTY-LICENSES.md"
