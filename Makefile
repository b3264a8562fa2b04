# Palimpsest: build, test, demo, install.
# `make demo` and `make test` install the system packages they need (libcurl and libxml2 headers) when
# missing.

SWIFT        ?= swift
PREFIX       ?= /usr/local
DESTDIR      ?=
BUILD_FLAGS  ?=
DEMO_DIR     ?= $(CURDIR)/demo-state
BIN           = $(CURDIR)/.build/release

.PHONY: all build release test demo deps clean install uninstall check-config benchmark

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

test: deps
	$(SWIFT) test $(BUILD_FLAGS)

# Replays recorded real platform responses from a loopback server and prints the deletion log.
demo: release
	$(BIN)/palimpsest demo --fixtures $(CURDIR)/Tests/Fixtures/real --state $(DEMO_DIR)
	@echo
	@echo "$$ palimpsest tail --config $(DEMO_DIR)/palimpsest.toml"
	@$(BIN)/palimpsest tail --config $(DEMO_DIR)/palimpsest.toml

clean:
	rm -rf .build demo-state
