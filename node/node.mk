# The Node binding (node/): npm package pleo-installations, a napi-rs addon over the core.
# Included by the root Makefile; paths are relative to the repository root.

NODE_DIR := node
# napi writes its loader and types here first: make test fails when the committed ones differ.
NODE_GEN := target/node-generated
NODE_RELEASE := target/node-release
NAPI := npx --no-install napi
NAPI_BUILD_FLAGS := --platform --js index.js --dts index.d.ts

.PHONY: node-deps node-build node-build-release node-regenerate test-node conformance-node demo-node bench-node \
	dist-node docs-node

test: test-node conformance-node
demo: demo-node
bench: bench-node
docs: docs-node

## npm packages of node/ (the napi CLI, TypeScript), installed again only when the manifests change.
node-deps: $(NODE_DIR)/node_modules/.stamp
$(NODE_DIR)/node_modules/.stamp: $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && npm install --no-audit --no-fund
	touch $@

## Debug build of the addon into node/native/; fails when the committed loader or types are stale.
node-build: node-deps
	rm -rf $(NODE_GEN) && mkdir -p $(NODE_GEN)
	cd $(NODE_DIR) && $(NAPI) build $(NAPI_BUILD_FLAGS) --output-dir ../$(NODE_GEN)
	cp $(NODE_GEN)/*.node $(NODE_DIR)/native/
	@diff -u $(NODE_DIR)/native/index.js $(NODE_GEN)/index.js && diff -u $(NODE_DIR)/native/index.d.ts $(NODE_GEN)/index.d.ts \
	  || { echo "node/native/index.{js,d.ts} are stale: run 'make node-regenerate' and commit them" >&2; exit 1; }

## Release build of the addon into target/node-release (for the bench and the soak).
node-build-release: node-deps
	rm -rf $(NODE_RELEASE) && mkdir -p $(NODE_RELEASE)
	cd $(NODE_DIR) && $(NAPI) build $(NAPI_BUILD_FLAGS) --release --output-dir ../$(NODE_RELEASE)

## Rewrites the committed loader and types from the Rust source.
node-regenerate: node-deps
	cd $(NODE_DIR) && $(NAPI) build $(NAPI_BUILD_FLAGS) --output-dir native

## node --test, the TypeScript check of the typed example, and a packed tarball in an empty project.
test-node: node-build
	cd $(NODE_DIR) && node --test test/*.test.js test/*.test.mjs
	cd $(NODE_DIR) && npx --no-install tsc -p tsconfig.json
	$(NODE_DIR)/scripts/pack-test.sh

## The conformance scenarios through the Node API (tests/conformance/node): the runner's own
## checks, then one test per scenario, writing target/conformance/node.json.
NODE_CONFORMANCE := tests/conformance/node
conformance-node: node-build
	node --test --test-reporter=spec $(NODE_CONFORMANCE)/checks.test.js
	node --test --test-reporter=spec $(NODE_CONFORMANCE)/runner.test.js

## The installation lifecycle in Node, against the emulator in-process.
demo-node: node-build
	mkdir -p examples/node/node_modules && ln -sfn ../../../node examples/node/node_modules/pleo-installations
	node examples/node/lifecycle.mjs

## The SDK next to Node's http.request and fetch (tests/bench/results/node.md), up to 1 000
## concurrent callers, with a release build of the addon.
bench-node: bench-floor node-build-release
	NAPI_RS_NATIVE_LIBRARY_PATH=$(abspath $(NODE_RELEASE))/pleo-installations.linux-x64-gnu.node \
	  BENCH_CALLERS="1 8 64 1000" ./tests/bench/run.sh node "Node: the SDK vs http.request and fetch" \
	  $(SERVER_CORE) $(CLIENT_CORE) \
	  node $(NODE_DIR)/bench/get_installation.mjs

## The two npm tarballs a Linux x64 (glibc) user installs, into dist/ (the other platform
## packages are the release workflow's): pleo-installations-$(VERSION).tgz, the JavaScript,
## types and loader with no binary, and pleo-installations-linux-x64-gnu-$(VERSION).tgz,
## node/npm/linux-x64-gnu/ with the release addon built for glibc 2.17 by cargo-zigbuild
## (stripped by the release profile) and the licences. Staged in target/node-dist/ by
## node/scripts/stage.sh, packed, then checked by what the tarballs hold and by size.
NODE_DIST := target/node-dist
NODE_PLATFORM := linux-x64-gnu
NODE_MAIN_TGZ := $(DIST)/pleo-installations-$(VERSION).tgz
NODE_PLATFORM_TGZ := $(DIST)/pleo-installations-$(NODE_PLATFORM)-$(VERSION).tgz
# Budgets of the packed tarballs (issue 14): 3 MB for the addon's, 100 KB for the main one.
NODE_PLATFORM_MAX := 3000000
NODE_MAIN_MAX := 100000
dist-node: $(DIST_TOOLS_STAMP) $(THIRD_PARTY_LICENSES)
	$(ZIGBUILD) -p pleo-installations-node
	tests/dist/inspect.sh $(DIST_RELEASE)/libpleo_installations_node.so
	$(NODE_DIR)/scripts/stage.sh $(NODE_DIST) $(DIST_RELEASE)/libpleo_installations_node.so $(VERSION) $(THIRD_PARTY_LICENSES)
	mkdir -p $(DIST) && rm -f $(NODE_MAIN_TGZ) $(NODE_PLATFORM_TGZ)
	cd $(NODE_DIST)/main && npm pack --silent --pack-destination $(abspath $(DIST)) >/dev/null
	cd $(NODE_DIST)/$(NODE_PLATFORM) && npm pack --silent --pack-destination $(abspath $(DIST)) >/dev/null
	$(NODE_DIR)/scripts/check-tarballs.sh $(NODE_MAIN_TGZ) $(NODE_PLATFORM_TGZ)
	tests/dist/check-size.sh $(NODE_PLATFORM_TGZ) $(NODE_PLATFORM_MAX)
	tests/dist/check-size.sh $(NODE_MAIN_TGZ) $(NODE_MAIN_MAX)

## API reference of the public types (lib/index.d.ts, lib/testing.d.ts) by TypeDoc into
## target/docs/node/ (node/typedoc.json), warnings fatal.
docs-node: node-deps
	rm -rf $(DOCS)/node
	cd $(NODE_DIR) && npx --no-install typedoc --treatWarningsAsErrors --out $(abspath $(DOCS))/node
