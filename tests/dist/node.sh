#!/usr/bin/env bash
# Installs the two npm tarballs of `make dist-node` as a user would and runs them: in an empty
# project, `npm install` of pleo-installations-VERSION.tgz and
# pleo-installations-linux-x64-gnu-VERSION.tgz, offline (the other platform packages the main
# one names are optional: npm skips them), then examples/node/lifecycle.mjs (ESM, the package
# and its /testing entry) and a require() smoke that also checks the addon was loaded from the
# platform package; last, that the main package alone fails with the loader's message rather
# than loading anything. Run by `make dist-check` inside a Debian 11 root with no network and
# the repository read-only; works the same on this machine. Needs node and npm on PATH; writes
# only under a temporary directory.
# Args: [DIST_DIR] (default: the repository's dist/)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
dist="$(cd "${1:-$repo/dist}" && pwd)"
version="$(node -p 'require(process.argv[1]).version' "$repo/node/package.json")"
main="$dist/pleo-installations-$version.tgz"
platform="$dist/pleo-installations-linux-x64-gnu-$version.tgz"
for tgz in "$main" "$platform"; do
  [ -f "$tgz" ] || { echo "no $tgz: run 'make dist-node' first" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# npm's cache and logs, and its user config, stay in the temporary directory too.
export npm_config_cache="$work/npm-cache" npm_config_userconfig="$work/npmrc"
export npm_config_update_notifier=false npm_config_audit=false npm_config_fund=false
echo "node $(node --version), npm $(npm --version), $(ldd --version 2>&1 | head -n 1)"

mkdir "$work/app"
cd "$work/app"
npm init -y >/dev/null
npm install --offline --no-audit --no-fund "$main" "$platform"
if find node_modules/pleo-installations -name '*.node' | grep .; then
  echo "the main package carries a .node" >&2
  exit 1
fi

# The example imports 'pleo-installations', resolved from where the file is: a copy of it
# sits in the project, as a user's own code would.
cp "$repo/examples/node/lifecycle.mjs" .
node lifecycle.mjs

# shellcheck disable=SC2016 # JavaScript, not shell
node -e '
const path = require("path");
const sdk = require("pleo-installations");
const addon = require.resolve("pleo-installations-linux-x64-gnu");
const loader = require(path.join(path.dirname(require.resolve("pleo-installations/package.json")), "native"));
if (loader !== require(addon)) throw new Error(`the loader did not load ${addon}`);
if (sdk.version !== process.argv[1]) throw new Error(`version ${sdk.version}, expected ${process.argv[1]}`);
(async () => {
  const server = await sdk.MockServer.start();
  try {
    const client = new sdk.Client({ baseUrl: server.url, apiKey: server.apiKey });
    const created = await client.createInstallation({ metadata: { tenant: "acme" } });
    if (created.status !== "ACTIVATED") throw new Error(`unexpected status ${created.status}`);
    await client.getInstallation({ companyId: "00000000-0000-0000-0000-000000000000" })
      .then(() => { throw new Error("expected NotFoundError"); }, (e) => { if (!(e instanceof sdk.NotFoundError)) throw e; });
  } finally {
    await server.stop();
  }
  console.log(`require: pleo-installations ${sdk.version} works, its addon from ${path.relative(process.cwd(), addon)}`);
})().catch((e) => { console.error(e); process.exit(1); });
' "$version"

# Without its platform package the main one cannot load, and says which package it looked for.
mkdir "$work/alone"
cd "$work/alone"
npm init -y >/dev/null
npm install --offline --no-audit --no-fund --silent "$main"
if out="$(node -e 'require("pleo-installations")' 2>&1)"; then
  echo "pleo-installations loaded without its platform package" >&2
  exit 1
fi
grep -q 'pleo-installations-linux-x64-gnu' <<<"$out" || {
  echo "without its platform package, the error does not name it:" >&2
  echo "$out" >&2
  exit 1
}
echo "alone: the main package without pleo-installations-linux-x64-gnu fails, naming it"
