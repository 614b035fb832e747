#!/usr/bin/env bash
# Packs the two npm packages a Linux x64 user installs, as `make dist-node` lays them out
# (node/scripts/stage.sh): pleo-installations (no binary) and pleo-installations-linux-x64-gnu,
# here with the debug addon of node/native/ (its debug info dropped, to pack fast). Installs
# both tarballs into an empty project offline, as npm would from the registry (the other,
# unpublished platform packages are optional and skipped), checks the main package found its
# addon in the platform package, then requires and imports it and makes calls against its
# own emulator: what a user of the packages gets.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
addon="$here/native/pleo-installations.linux-x64-gnu.node"
[ -f "$addon" ] || { echo "no $addon: run make node-build" >&2; exit 1; }
version="$(node -p 'require(process.argv[1]).version' "$here/package.json")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$here/scripts/stage.sh" "$work/stage" "$addon" "$version"
objcopy --strip-debug "$work/stage/linux-x64-gnu/pleo-installations.linux-x64-gnu.node"
main="$(cd "$work/stage/main" && npm pack --silent --pack-destination "$work" | tail -n 1)"
platform="$(cd "$work/stage/linux-x64-gnu" && npm pack --silent --pack-destination "$work" | tail -n 1)"
main_files="$(tar -tzf "$work/$main")"
if grep '\.node$' <<<"$main_files"; then
  echo "$main carries a .node: the binary belongs in the platform package" >&2
  exit 1
fi

mkdir "$work/project"
cd "$work/project"
npm init -y >/dev/null
npm install --offline --no-audit --no-fund --silent "$work/$main" "$work/$platform"
[ ! -e node_modules/pleo-installations/native/pleo-installations.linux-x64-gnu.node ]
# shellcheck disable=SC2016 # JavaScript, not shell
node -e '
const loaded = require.resolve("pleo-installations-linux-x64-gnu");
const dir = require("path").dirname(require.resolve("pleo-installations/package.json"));
const native = require(`${dir}/native`);
if (native !== require(loaded)) throw new Error(`the loader did not take the addon from ${loaded}`);
console.log("loader: the addon comes from the platform package pleo-installations-linux-x64-gnu");
'
# shellcheck disable=SC2016 # JavaScript, not shell
node -e '
const { Client, MockServer, NotFoundError, version } = require("pleo-installations");
(async () => {
  const server = await MockServer.start();
  const client = new Client({ baseUrl: server.url, apiKey: server.apiKey });
  await client.getInstallation().then(() => { throw new Error("expected 404"); }, (e) => { if (!(e instanceof NotFoundError)) throw e; });
  const created = await client.createInstallation();
  if (created.status !== "ACTIVATED") throw new Error(`unexpected ${created.status}`);
  await server.stop();
  console.log(`require: pleo-installations ${version} works from the packed tarball`);
})().catch((e) => { console.error(e); process.exit(1); });
'
# shellcheck disable=SC2016 # JavaScript, not shell
node --input-type=module -e '
import { Client } from "pleo-installations";
import { MockServer } from "pleo-installations/testing";
const server = await MockServer.start();
const client = new Client({ baseUrl: server.url, apiKey: server.apiKey });
const { data } = await client.introspect();
if (data.authMethod !== "API_KEY") throw new Error(`unexpected ${data.authMethod}`);
await server.stop();
console.log("import: works from the packed tarball");
'
