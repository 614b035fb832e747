#!/usr/bin/env bash
# Packs node/ with npm pack, installs the tarball into an empty project, then requires and
# imports it and makes a call against its own emulator: what a user of the package gets.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

tarball="$(cd "$here" && npm pack --silent --pack-destination "$work" | tail -n 1)"
mkdir "$work/project"
cd "$work/project"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "$work/$tarball"

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
