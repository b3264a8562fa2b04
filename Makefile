# Palimpsest: build, test, demo, install.
# `make demo` and `make test` install what they need when missing (libcurl and libxml2 headers; for
# `make test` also Python's aiosmtpd, the loopback SMTP server of the digest delivery tests, and
# warcio, which reads the WARC evidence files in a test).

SWIFT        ?= swift
PREFIX       ?= /usr/local
DESTDIR      ?=
BINDIR       ?= $(PREFIX)/bin
DOCDIR       ?= $(PREFIX)/share/doc/palimpsest
# systemd reads units from /usr/local/lib/systemd/system too (systemd.unit(5)).
UNITDIR      ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR   ?= /etc
INSTALL      ?= install
BUILD_FLAGS  ?=
DEMO_DIR     ?= $(CURDIR)/demo-state
BENCH_FLAGS  ?=
BIN           = $(CURDIR)/.build/release

.PHONY: all build release test test-deps demo deps clean install uninstall check-config benchmark benchmark-unchanged verify-units

all: build

# Installs the development files of the C libraries (headers + .pc files) when pkg-config cannot
# find them: libcurl (fetching), libxml2 (HTML parsing), SQLite (the state store) and zlib (WARC
# evidence files).
deps:
	@missing=""; \
	pkg-config --exists libcurl 2>/dev/null || missing="$$missing libcurl4-openssl-dev"; \
	pkg-config --exists libxml-2.0 2>/dev/null || missing="$$missing libxml2-dev"; \
	pkg-config --exists sqlite3 2>/dev/null || missing="$$missing libsqlite3-dev"; \
	pkg-config --exists zlib 2>/dev/null || missing="$$missing zlib1g-dev"; \
	if [ -n "$$missing" ]; then \
		echo "make: installing$$missing and pkg-config (needed to build against libcurl, libxml2, SQLite and zlib)"; \
		if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing pkg-config; \
	fi

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

release: deps
	$(SWIFT) build -c release $(BUILD_FLAGS)

test: deps test-deps verify-units
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
	@if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import warcio' >/dev/null 2>&1; then \
		echo "make: installing warcio for the WARC evidence test (python3 -m pip install warcio)"; \
		python3 -m pip install --quiet warcio >/dev/null 2>&1 || \
		python3 -m pip install --quiet --user warcio >/dev/null 2>&1 || \
		{ if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
		  $$SUDO apt-get install -y -qq --no-install-recommends python3-warcio >/dev/null 2>&1; } || true; \
		python3 -c 'import warcio' >/dev/null 2>&1 || \
		echo "make: could not install warcio: the WARC evidence test will be skipped"; \
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

# `palimpsest poll` alone over loopback feeds in cycles where nothing changed: CPU, bytes written
# and state growth per cycle (issue 9, target 2). E.g. UNCHANGED_FLAGS="--feeds 10000 --answers 200".
UNCHANGED_FLAGS ?= --feeds 2000 --cycles 3
benchmark-unchanged: release
	python3 $(CURDIR)/Scripts/unchanged_cycles.py $(BIN)/palimpsest $(UNCHANGED_FLAGS)

clean:
	rm -rf .build demo-state

# Installs what `make release` built; run `make release` first as yourself, then `sudo make install`.
# The units' paths follow PREFIX. The config in $(SYSCONFDIR)/palimpsest/ is never overwritten:
# the example is always refreshed as palimpsest.toml.example beside it.
UNITS = $(wildcard systemd/*.service systemd/*.timer)
DOCS  = README.md $(wildcard docs/*.md)

install:
	@test -x $(BIN)/palimpsest || { echo "make install: $(BIN)/palimpsest is missing; run 'make release' first"; exit 1; }
	$(INSTALL) -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(SYSCONFDIR)/palimpsest $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	$(INSTALL) -m 0755 $(BIN)/palimpsest $(DESTDIR)$(BINDIR)/palimpsest
	@for unit in $(UNITS); do \
		echo "install $$unit -> $(DESTDIR)$(UNITDIR)/$$(basename $$unit)"; \
		sed -e 's#/usr/local/bin/palimpsest#$(BINDIR)/palimpsest#g' \
		    -e 's#/usr/local/share/doc/palimpsest#$(DOCDIR)#g' \
		    -e 's#/etc/palimpsest/#$(SYSCONFDIR)/palimpsest/#g' \
		    $$unit > $(DESTDIR)$(UNITDIR)/$$(basename $$unit).tmp && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$(basename $$unit).tmp && \
		mv $(DESTDIR)$(UNITDIR)/$$(basename $$unit).tmp $(DESTDIR)$(UNITDIR)/$$(basename $$unit) || exit 1; \
	done
	$(INSTALL) -m 0644 Config/palimpsest.toml $(DESTDIR)$(SYSCONFDIR)/palimpsest/palimpsest.toml.example
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/palimpsest/palimpsest.toml ]; then \
		echo "keep $(DESTDIR)$(SYSCONFDIR)/palimpsest/palimpsest.toml (exists; the new example is palimpsest.toml.example)"; \
	else \
		$(INSTALL) -m 0644 Config/palimpsest.toml $(DESTDIR)$(SYSCONFDIR)/palimpsest/palimpsest.toml && \
		echo "install Config/palimpsest.toml -> $(DESTDIR)$(SYSCONFDIR)/palimpsest/palimpsest.toml (edit it)"; \
	fi
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/logrotate.d/palimpsest ]; then \
		echo "keep $(DESTDIR)$(SYSCONFDIR)/logrotate.d/palimpsest (exists)"; \
	else \
		$(INSTALL) -m 0644 systemd/palimpsest.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/palimpsest; \
	fi
	$(INSTALL) -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	@echo
	@echo "Installed. Next: edit $(SYSCONFDIR)/palimpsest/palimpsest.toml, check it with"
	@echo "  $(BINDIR)/palimpsest check-config --config $(SYSCONFDIR)/palimpsest/palimpsest.toml"
	@echo "then: systemctl daemon-reload && systemctl enable --now palimpsest"

# Removes what `make install` put in place except the config and the logrotate file you may have
# edited, and every state folder and deletion log (evidence is never deleted by a Makefile).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/palimpsest
	@for unit in $(UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$$(basename $$unit); echo "rm -f $(DESTDIR)$(UNITDIR)/$$(basename $$unit)"; done
	rm -f $(DESTDIR)$(SYSCONFDIR)/palimpsest/palimpsest.toml.example
	rm -rf $(DESTDIR)$(DOCDIR)
	@echo "Kept: $(SYSCONFDIR)/palimpsest/palimpsest.toml, $(SYSCONFDIR)/logrotate.d/palimpsest, and the state"
	@echo "folder and deletion log (/var/lib/palimpsest by default): remove them yourself if you mean to."

# Checks every unit in systemd/ with systemd-analyze (skipped where systemd-analyze is missing).
verify-units:
	@sh systemd/verify-units.sh
