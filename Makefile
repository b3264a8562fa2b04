# Palimpsest: build, test, demo, install.
# `make demo` and `make test` install what they need when missing (libcurl and libxml2 headers; for
# `make test` also Python's aiosmtpd, the loopback SMTP server of the digest delivery tests).

SWIFT        ?= swift
PREFIX       ?= /usr/local
DESTDIR      ?=
BUILD_FLAGS  ?=
DEMO_DIR     ?= $(CURDIR)/demo-state
BENCH_FLAGS  ?=
BIN           = $(CURDIR)/.build/release

.PHONY: all build release test test-deps demo deps clean install uninstall check-config benchmark

all: build

# Installs the development files of the C libraries (headers + .pc files) when pkg-config cannot
# find them: libcurl (fetching) and libxml2 (HTML parsing).
deps:
	@missing=""; \
	pkg-config --exists libcurl 2>/dev/null || missing="$$missing libcurl4-openssl-dev"; \
	pkg-config --exists libxml-2.0 2>/dev/null || missing="$$missing libxml2-dev"; \
	if [ -n "$$missing" ]; then \
		echo "make: installing$$missing and pkg-config (needed to build against libcurl and libxml2)"; \
		if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing pkg-config; \
	fi

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

release: deps
	$(SWIFT) build -c release $(BUILD_FLAGS)

test: deps test-deps
	$(SWIFT) test $(BUILD_FLAGS)

# The digest's SMTP delivery test sends to Python's aiosmtpd on loopback: install it when missing
# (pip first; on a Debian system Python that refuses pip, the python3-aiosmtpd package). Without it
# those tests are skipped with a message, never failed.
test-deps:
	@if ! command -v python3 >/dev/null 2>&1; then \
		echo "make: no python3: the SMTP delivery tests will be skipped"; \
	elif ! python3 -c 'import aiosmtpd' >/dev/null 2>&1; then \
		echo "make: installing aiosmtpd for the SMTP delivery tests (python3 -m pip install aiosmtpd)"; \
		python3 -m pip install --quiet aiosmtpd >/dev/null 2>&1 || \
		python3 -m pip install --quiet --user aiosmtpd >/dev/null 2>&1 || \
		{ if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
		  $$SUDO apt-get install -y -qq --no-install-recommends python3-aiosmtpd >/dev/null 2>&1; } || true; \
		python3 -c 'import aiosmtpd' >/dev/null 2>&1 || \
		echo "make: could not install aiosmtpd: the SMTP delivery tests will be skipped"; \
	fi

# Replays recorded real platform responses from a loopback server and prints the deletion log.
demo: release
	$(BIN)/palimpsest demo --fixtures $(CURDIR)/Tests/Fixtures/real --state $(DEMO_DIR)
	@echo
	@echo "$$ palimpsest tail --config $(DEMO_DIR)/palimpsest.toml"
	@$(BIN)/palimpsest tail --config $(DEMO_DIR)/palimpsest.toml
	@echo
	@echo "$$ palimpsest digest --config $(DEMO_DIR)/palimpsest.toml --week 2026-W31 --out $(DEMO_DIR)/digest"
	@$(BIN)/palimpsest digest --config $(DEMO_DIR)/palimpsest.toml --week 2026-W31 --out $(DEMO_DIR)/digest --log-level warning
	@echo "Open $(DEMO_DIR)/digest/digest.html in a browser; digest.md, events.csv and digest.json are beside it."

# Prints throughput, latency and memory figures of the real code paths (README, "Benchmark").
# Options go in BENCH_FLAGS, e.g. `make benchmark BENCH_FLAGS="--quick"` or "--accounts 200".
benchmark: deps
	$(SWIFT) build -c release --product palimpsest-bench $(BUILD_FLAGS)
	$(BIN)/palimpsest-bench --fixtures $(CURDIR)/Tests/Fixtures/real $(BENCH_FLAGS)

clean:
	rm -rf .build demo-state
