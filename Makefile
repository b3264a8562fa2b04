# Palimpsest: build, test, demo, install.
# `make demo` and `make test` install the system packages they need (libcurl headers) when missing.

SWIFT        ?= swift
PREFIX       ?= /usr/local
DESTDIR      ?=
BUILD_FLAGS  ?=
DEMO_DIR     ?= $(CURDIR)/demo-state
BENCH_FLAGS  ?=
BIN           = $(CURDIR)/.build/release

.PHONY: all build release test demo deps clean install uninstall check-config benchmark

all: build

# Installs libcurl's development files (headers + libcurl.pc) when pkg-config cannot find them.
deps:
	@if ! pkg-config --exists libcurl 2>/dev/null; then \
		echo "make: installing libcurl4-openssl-dev and pkg-config (needed to build against libcurl)"; \
		if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends libcurl4-openssl-dev pkg-config; \
	fi

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

release: deps
	$(SWIFT) build -c release $(BUILD_FLAGS)

test: deps
	$(SWIFT) test $(BUILD_FLAGS)

# Replays recorded real platform responses from a loopback server and prints the deletion log.
demo: release
	$(BIN)/palimpsest demo --fixtures $(CURDIR)/Tests/Fixtures/real --state $(DEMO_DIR)
	@echo
	@echo "$$ palimpsest tail --config $(DEMO_DIR)/palimpsest.toml"
	@$(BIN)/palimpsest tail --config $(DEMO_DIR)/palimpsest.toml

# Prints throughput, latency and memory figures of the real code paths (README, "Benchmark").
# Options go in BENCH_FLAGS, e.g. `make benchmark BENCH_FLAGS="--quick"` or "--accounts 200".
benchmark: deps
	$(SWIFT) build -c release --product palimpsest-bench $(BUILD_FLAGS)
	$(BIN)/palimpsest-bench --fixtures $(CURDIR)/Tests/Fixtures/real $(BENCH_FLAGS)

clean:
	rm -rf .build demo-state
