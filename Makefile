# Palimpsest: build, test, demo, install.
# `make demo` and `make test` install what they need when missing (libcurl, libxml2, SQLite, zlib and OpenSSL
# headers, the apprise command of the chat alert sinks; for
# `make test` also Python's aiosmtpd, the loopback SMTP server of the digest delivery tests,
# feedparser, which reads the Atom feed of deletions in a test, warcio, which reads the WARC evidence files in a test,
# bagit, which validates an evidence bundle, the openssl CLI (a loopback time-stamp authority, verify.sh), and Debian's chromium and poppler-utils,
# which the digest's browser test renders and prints with).

SWIFT        ?= swift
PREFIX       ?= /usr/local
DESTDIR      ?=
BINDIR       ?= $(PREFIX)/bin
# Helper programs: the crash reporter of the statically linked binary (swift-backtrace, below).
LIBEXECDIR   ?= $(PREFIX)/libexec
DOCDIR       ?= $(PREFIX)/share/doc/palimpsest
MANDIR       ?= $(PREFIX)/share/man
# Where bash-completion, zsh and fish look for completions of installed commands.
BASHCOMPDIR  ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR   ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR  ?= $(PREFIX)/share/fish/vendor_completions.d
# systemd reads units from /usr/local/lib/systemd/system too (systemd.unit(5)).
UNITDIR      ?= $(PREFIX)/lib/systemd/system
# systemd-sysusers reads /usr/local/lib/sysusers.d too (and /usr/lib/sysusers.d for PREFIX=/usr).
SYSUSERSDIR  ?= $(PREFIX)/lib/sysusers.d
SYSCONFDIR   ?= /etc
INSTALL      ?= install
BUILD_FLAGS  ?=
# The installed binary carries the Swift runtime and Foundation (statically linked): at run time it
# needs only the C libraries below, not the toolchain's folder, and it holds ~4-5 MiB less resident
# memory (measured: a 2,000-feed poll, 64 -> 60 MiB). RELEASE_FLAGS= links them as shared libraries
# from the toolchain instead.
# LAYOUT_FLAGS lay the binary out for less resident memory (README, Benchmark: "binary layout";
# a 2,000-feed poll 59 -> 47 MiB): every function in a section of its own, so that lld can put the
# functions a deployment runs side by side, in the order of Scripts/palimpsest.order (written by
# Scripts/link_order.py; a stale file only orders less); relative relocations packed (DT_RELR, when
# the build machine's glibc is 2.36 or later: the binary then needs that too); the program's own
# symbols not exported for dynamic linking (no library it loads calls back into it by name; crash
# reports name functions from the file's symbol table: do not strip it). They go with RELEASE_FLAGS,
# whatever those are. LAYOUT_FLAGS= links as before (gold, default layout), as does a toolchain
# without its own lld (Swift's toolchains for Linux ship one beside `swift`).
SWIFT_LLD    ?= $(shell p=$$($(SWIFT) -print-target-info 2>/dev/null | \
	sed -n 's/.*"runtimeResourcePath": *"\([^"]*\)".*/\1/p' | head -n1); \
	[ -n "$$p" ] && [ -x "$$p/../../bin/ld.lld" ] && echo "$$p/../../bin/ld.lld")
RELR_FLAGS   ?= $(shell v=$$(getconf GNU_LIBC_VERSION 2>/dev/null | cut -d' ' -f2); \
	[ -n "$$v" ] && [ "$$(printf '%s\n2.36\n' "$$v" | sort -V | head -n1)" = 2.36 ] && \
	echo "-Xlinker -z -Xlinker pack-relative-relocs")
LAYOUT_FLAGS ?= $(if $(SWIFT_LLD),-Xswiftc -Xfrontend -Xswiftc -function-sections -Xswiftc -use-ld=lld \
	-Xlinker --symbol-ordering-file=$(CURDIR)/Scripts/palimpsest.order -Xlinker --no-warn-symbol-ordering \
	-Xlinker --no-export-dynamic $(RELR_FLAGS))
RELEASE_FLAGS ?= --static-swift-stdlib
# Run before a release build: SwiftPM does not know the order file is an input of the link, so a
# binary older than it is removed (`swift build` then links it again); and a build without the
# layout says so.
BEFORE_RELEASE_BUILD = if [ -f $(BIN)/palimpsest ] && [ $(CURDIR)/Scripts/palimpsest.order -nt $(BIN)/palimpsest ]; \
	then rm -f $(BIN)/palimpsest; fi; \
	if [ -z "$(LAYOUT_FLAGS)" ]; then echo "make: the binary keeps the default layout (LAYOUT_FLAGS is empty$(if \
	$(SWIFT_LLD),,: no ld.lld in the Swift toolchain)), which holds more resident memory (docs/operating.md)"; fi
# A statically linked Swift program prints no crash report unless it finds the toolchain's
# statically linked crash reporter: beside it as `swift-backtrace` (copied there by `make release`),
# or where SWIFT_BACKTRACE's swift-backtrace= says (the installed units name
# $(LIBEXECDIR)/palimpsest/swift-backtrace, which `make install` puts there).
SWIFT_BACKTRACER ?= $(shell d=$$(dirname "$$(readlink -f "$$(command -v $(SWIFT))")" 2>/dev/null) && \
	echo "$$d/../libexec/swift/linux/swift-backtrace-static")
DEMO_DIR     ?= $(CURDIR)/demo-state
BENCH_FLAGS  ?=
BIN           = $(CURDIR)/.build/release
# The benchmark is a package of its own (Benchmarks/Package.swift), built in its own .build.
BENCH_BIN     = $(CURDIR)/Benchmarks/.build/release
# The man page swift-argument-parser's generate-manual plugin writes (`make man`), dated by the last
# commit so that the same sources give the same page.
MANPAGE       = $(CURDIR)/.build/plugins/GenerateManual/outputs/palimpsest/palimpsest.1
MAN_DATE     ?= $(shell git -C $(CURDIR) log -1 --format=%cs 2>/dev/null || date -u +%Y-%m-%d)

.PHONY: all build release man test test-deps browser-deps demo deps clean install uninstall check-config benchmark benchmark-digest benchmark-unchanged benchmark-peer benchmark-run verify-units lint format

all: build

# Installs the development files of the C libraries (headers + .pc files) when pkg-config cannot
# find them: libcurl (fetching), libxml2 (HTML parsing), SQLite (the state store), zlib (WARC
# evidence files, gzipped rotated logs) and libcrypto (RFC 3161 timestamps of checkpoints).
deps:
	@missing=""; \
	pkg-config --exists libcurl 2>/dev/null || missing="$$missing libcurl4-openssl-dev"; \
	pkg-config --exists libxml-2.0 2>/dev/null || missing="$$missing libxml2-dev"; \
	pkg-config --exists sqlite3 2>/dev/null || missing="$$missing libsqlite3-dev"; \
	pkg-config --exists zlib 2>/dev/null || missing="$$missing zlib1g-dev"; \
	pkg-config --exists libcrypto 2>/dev/null || missing="$$missing libssl-dev"; \
	if [ -n "$$missing" ]; then \
		echo "make: installing$$missing and pkg-config (needed to build against libcurl, libxml2, SQLite, zlib and libcrypto)"; \
		if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing pkg-config; \
	fi
	@# The apprise command: the chat sinks of [[alert]] type = "apprise" (docs/alerts.md).
	@if ! command -v apprise >/dev/null 2>&1; then \
		echo "make: installing apprise (the [[alert]] type = \"apprise\" sinks run it)"; \
		if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
		{ $$SUDO apt-get update -qq && \
		  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends apprise; \
		} >/dev/null 2>&1 || echo "make: could not install apprise: apprise sinks and their test will not run"; \
	fi

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

# Only the installed product: the tests' support target (Tests/PalimpsestTestSupport) imports the
# core with @testable, which a release build without -enable-testing refuses. For the same reason
# `make man` lets the plugin build in debug (it builds every target; it only runs `--help`).
release: deps
	@$(BEFORE_RELEASE_BUILD)
	$(SWIFT) build -c release --product palimpsest $(RELEASE_FLAGS) $(LAYOUT_FLAGS) $(BUILD_FLAGS)
	@if [ -x "$(SWIFT_BACKTRACER)" ]; then cp -f "$(SWIFT_BACKTRACER)" $(BIN)/swift-backtrace; \
	else echo "make: no $(SWIFT_BACKTRACER) in the toolchain: a crash of this build prints no backtrace"; fi
	@$(MAKE) --no-print-directory man

# The man page palimpsest(1), generated from the command line's own help (every command, option and
# its text) by swift-argument-parser's generate-manual plugin, which builds a debug build first. Needs
# nothing beyond the toolchain and the package's dependencies: it runs on a clean machine.
man: deps
	$(SWIFT) package plugin generate-manual --configuration debug --date $(MAN_DATE) --authors "the Palimpsest authors"
	@test -s $(MANPAGE) && echo "man page: $(MANPAGE)"

# Style: swift-format (part of the Swift toolchain) with the settings in .swift-format (4-space
# indentation, 120 columns). `make lint` fails on any finding (CI runs it); `make format` fixes
# what it can in place.
FORMAT_PATHS = Sources Tests Package.swift Benchmarks/Sources Benchmarks/Package.swift
lint:
	$(SWIFT) format lint --strict --recursive --parallel $(FORMAT_PATHS)

format:
	$(SWIFT) format format --in-place --recursive --parallel $(FORMAT_PATHS)

test: deps test-deps browser-deps verify-units
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
	@if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import feedparser' >/dev/null 2>&1; then \
		echo "make: installing feedparser for the Atom feed test (python3 -m pip install feedparser)"; \
		python3 -m pip install --quiet feedparser >/dev/null 2>&1 || \
		python3 -m pip install --quiet --user feedparser >/dev/null 2>&1 || \
		{ if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
		  $$SUDO apt-get install -y -qq --no-install-recommends python3-feedparser >/dev/null 2>&1; } || true; \
		python3 -c 'import feedparser' >/dev/null 2>&1 || \
		echo "make: could not install feedparser: the Atom feed test will be skipped"; \
	fi
	@if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import bagit' >/dev/null 2>&1; then \
		echo "make: installing bagit for the evidence bundle test (python3 -m pip install bagit)"; \
		python3 -m pip install --quiet bagit >/dev/null 2>&1 || \
		python3 -m pip install --quiet --user bagit >/dev/null 2>&1 || \
		{ if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
		  $$SUDO apt-get install -y -qq --no-install-recommends python3-bagit >/dev/null 2>&1; } || true; \
		python3 -c 'import bagit' >/dev/null 2>&1 || \
		echo "make: could not install bagit: the evidence bundle's BagIt check will be skipped"; \
	fi
	@if ! command -v openssl >/dev/null 2>&1; then \
		echo "make: installing openssl (the CLI) for the timestamp and evidence bundle tests"; \
		if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
		{ $$SUDO apt-get update -qq && \
		  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends openssl; \
		} >/dev/null 2>&1 || echo "make: could not install openssl: those tests will be skipped"; \
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

# The digest's browser test (Tests/Browser/check_digest.py, run by the Swift test
# DigestBrowserTests) renders digest.html in headless Chromium and reads its PDF with pdftotext:
# install Debian's chromium and poppler-utils when missing. Where they cannot be installed the test
# is skipped with a message, never failed.
browser-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
		echo "make: installing$$missing for the digest's browser test"; \
		if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
		{ $$SUDO apt-get update -qq && \
		  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
		} >/dev/null 2>&1 || \
		echo "make: could not install$$missing: the digest's browser test will be skipped"; \
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
	$(SWIFT) build --package-path $(CURDIR)/Benchmarks -c release --product palimpsest-bench $(BUILD_FLAGS)
	$(BENCH_BIN)/palimpsest-bench --fixtures $(CURDIR)/Tests/Fixtures/real $(BENCH_FLAGS)

# Phase 5 of palimpsest-bench alone: `digest`, `status`, `tail -n 10` and `verify` over a generated
# state_dir and deletion log (100,000 accounts, 100,000 events in one week; issue 9, target 3).
# E.g. DIGEST_FLAGS="--log-accounts 10000 --log-events 10000 --keep".
DIGEST_FLAGS ?=
benchmark-digest: deps
	@$(BEFORE_RELEASE_BUILD)
	$(SWIFT) build -c release --product palimpsest $(RELEASE_FLAGS) $(LAYOUT_FLAGS) $(BUILD_FLAGS)
	$(SWIFT) build --package-path $(CURDIR)/Benchmarks -c release --product palimpsest-bench $(BUILD_FLAGS)
	$(BENCH_BIN)/palimpsest-bench --log-scale --palimpsest $(BIN)/palimpsest $(DIGEST_FLAGS)

# `palimpsest poll` alone over loopback feeds in cycles where nothing changed: CPU, bytes written
# and state growth per cycle (issue 9, target 2). Serves the feeds from nginx (nginx-light installed
# with apt-get when missing); e.g. UNCHANGED_FLAGS="--feeds 10000 --server http.server" for Python's
# http.server, which closes each connection, or "--answers 200".
UNCHANGED_FLAGS ?= --feeds 2000 --cycles 3
benchmark-unchanged: release
	python3 $(CURDIR)/Scripts/unchanged_cycles.py $(BIN)/palimpsest $(UNCHANGED_FLAGS)

# Palimpsest against urlwatch 2.29 on one loopback nginx: one steady cycle over 2,000 RSS feeds,
# CPU and peak memory side by side (issue 9, target 1). Installs nginx-light (apt-get) and urlwatch
# (a virtualenv in .build/peer-venv) when missing. E.g. PEER_FLAGS="--feeds 500 --rounds 1".
PEER_FLAGS ?=
benchmark-peer: release
	python3 $(CURDIR)/Scripts/peer_benchmark.py $(BIN)/palimpsest $(PEER_FLAGS)

# `palimpsest run` as systemd starts it, over 100,000 loopback feeds at a 10-minute interval, 1% of
# them changed per cycle: READY=1 time, first cycle, sustained share of a core, RSS, state growth
# per day, restart to READY=1 (issue 9, target 3; 15 to 30 minutes). Installs nginx-light when
# missing. A smoke run: RUN_FLAGS="--feeds 2000 --interval 1m".
RUN_FLAGS ?=
benchmark-run: release
	python3 $(CURDIR)/Scripts/run_benchmark.py $(BIN)/palimpsest $(RUN_FLAGS)

clean:
	rm -rf .build Benchmarks/.build demo-state

# Installs what `make release` built (the binary and the man page; the shell completions come from
# the binary); run `make release` first as yourself, then `sudo make install`.
# The units' paths follow PREFIX. The system user palimpsest comes from systemd/palimpsest.sysusers
# (applied with systemd-sysusers unless DESTDIR is set: a package does it in its postinst). A new
# $(SYSCONFDIR)/palimpsest/palimpsest.toml is the minimal config (nothing watched until accounts
# are added); an existing one is never overwritten. The full example is always refreshed as
# palimpsest.toml.example beside it.
UNITS = $(wildcard systemd/*.service systemd/*.timer)
DOCS  = README.md $(wildcard docs/*.md)

install:
	@test -x $(BIN)/palimpsest || { echo "make install: $(BIN)/palimpsest is missing; run 'make release' first"; exit 1; }
	@test -s $(MANPAGE) || { echo "make install: the man page $(MANPAGE) is missing; run 'make release' first"; exit 1; }
	$(INSTALL) -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(SYSCONFDIR)/palimpsest $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	$(INSTALL) -m 0755 $(BIN)/palimpsest $(DESTDIR)$(BINDIR)/palimpsest
	@if [ -x $(BIN)/swift-backtrace ]; then \
		$(INSTALL) -d -m 0755 $(DESTDIR)$(LIBEXECDIR)/palimpsest && \
		echo "install $(BIN)/swift-backtrace -> $(DESTDIR)$(LIBEXECDIR)/palimpsest/swift-backtrace" && \
		$(INSTALL) -m 0755 $(BIN)/swift-backtrace $(DESTDIR)$(LIBEXECDIR)/palimpsest/swift-backtrace || exit 1; \
	else \
		echo "make install: no $(BIN)/swift-backtrace (make release copies it from the toolchain): a crash prints no backtrace"; \
	fi
	@for unit in $(UNITS); do \
		echo "install $$unit -> $(DESTDIR)$(UNITDIR)/$$(basename $$unit)"; \
		sed -e 's#/usr/local/bin/palimpsest#$(BINDIR)/palimpsest#g' \
		    -e 's#/usr/local/libexec/palimpsest/#$(LIBEXECDIR)/palimpsest/#g' \
		    -e 's#/usr/local/share/doc/palimpsest#$(DOCDIR)#g' \
		    -e 's#/etc/palimpsest/#$(SYSCONFDIR)/palimpsest/#g' \
		    $$unit > $(DESTDIR)$(UNITDIR)/$$(basename $$unit).tmp && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$(basename $$unit).tmp && \
		mv $(DESTDIR)$(UNITDIR)/$$(basename $$unit).tmp $(DESTDIR)$(UNITDIR)/$$(basename $$unit) || exit 1; \
	done
	$(INSTALL) -m 0644 systemd/palimpsest.sysusers $(DESTDIR)$(SYSUSERSDIR)/palimpsest.conf
	@if [ -n "$(DESTDIR)" ]; then \
		echo "skip systemd-sysusers (DESTDIR is set): the package must run 'systemd-sysusers palimpsest.conf'"; \
	elif command -v systemd-sysusers >/dev/null 2>&1; then \
		echo "systemd-sysusers $(SYSUSERSDIR)/palimpsest.conf (the system user palimpsest, if missing)"; \
		systemd-sysusers $(SYSUSERSDIR)/palimpsest.conf || exit 1; \
	else \
		echo "make install: no systemd-sysusers; create the system user palimpsest yourself" \
		     "(e.g. adduser --system --group --home /var/lib/palimpsest palimpsest)"; \
	fi
	$(INSTALL) -m 0644 Config/palimpsest.toml $(DESTDIR)$(SYSCONFDIR)/palimpsest/palimpsest.toml.example
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/palimpsest/palimpsest.toml ]; then \
		echo "keep $(DESTDIR)$(SYSCONFDIR)/palimpsest/palimpsest.toml (exists; the new example is palimpsest.toml.example)"; \
	else \
		sed -e 's#/etc/palimpsest/#$(SYSCONFDIR)/palimpsest/#g' Config/palimpsest-minimal.toml \
			> $(DESTDIR)$(SYSCONFDIR)/palimpsest/palimpsest.toml.tmp && \
		chmod 0644 $(DESTDIR)$(SYSCONFDIR)/palimpsest/palimpsest.toml.tmp && \
		mv $(DESTDIR)$(SYSCONFDIR)/palimpsest/palimpsest.toml.tmp $(DESTDIR)$(SYSCONFDIR)/palimpsest/palimpsest.toml && \
		echo "install Config/palimpsest-minimal.toml -> $(DESTDIR)$(SYSCONFDIR)/palimpsest/palimpsest.toml" \
		     "(watches nothing yet: add accounts)" || exit 1; \
	fi
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/logrotate.d/palimpsest ]; then \
		echo "keep $(DESTDIR)$(SYSCONFDIR)/logrotate.d/palimpsest (exists)"; \
	else \
		$(INSTALL) -m 0644 systemd/palimpsest.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/palimpsest; \
	fi
	$(INSTALL) -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -d -m 0755 $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	sed -e 's#/usr/local/share/doc/palimpsest#$(DOCDIR)#g' $(MANPAGE) > $(DESTDIR)$(MANDIR)/man1/palimpsest.1
	$(BIN)/palimpsest --generate-completion-script bash > $(DESTDIR)$(BASHCOMPDIR)/palimpsest
	$(BIN)/palimpsest --generate-completion-script zsh > $(DESTDIR)$(ZSHCOMPDIR)/_palimpsest
	$(BIN)/palimpsest --generate-completion-script fish > $(DESTDIR)$(FISHCOMPDIR)/palimpsest.fish
	chmod 0644 $(DESTDIR)$(MANDIR)/man1/palimpsest.1 $(DESTDIR)$(BASHCOMPDIR)/palimpsest \
		$(DESTDIR)$(ZSHCOMPDIR)/_palimpsest $(DESTDIR)$(FISHCOMPDIR)/palimpsest.fish
	@echo
	@echo "Installed. Next: add accounts to $(SYSCONFDIR)/palimpsest/palimpsest.toml (examples in it and in"
	@echo "palimpsest.toml.example beside it), check it with"
	@echo "  $(BINDIR)/palimpsest check-config --config $(SYSCONFDIR)/palimpsest/palimpsest.toml"
	@echo "then: systemctl daemon-reload && systemctl enable --now palimpsest"

# Removes what `make install` put in place except the config and the logrotate file you may have
# edited, and every state folder and deletion log (evidence is never deleted by a Makefile).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/palimpsest
	rm -rf $(DESTDIR)$(LIBEXECDIR)/palimpsest
	@for unit in $(UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$$(basename $$unit); echo "rm -f $(DESTDIR)$(UNITDIR)/$$(basename $$unit)"; done
	rm -f $(DESTDIR)$(SYSCONFDIR)/palimpsest/palimpsest.toml.example
	rm -f $(DESTDIR)$(SYSUSERSDIR)/palimpsest.conf
	rm -rf $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(MANDIR)/man1/palimpsest.1 $(DESTDIR)$(BASHCOMPDIR)/palimpsest \
		$(DESTDIR)$(ZSHCOMPDIR)/_palimpsest $(DESTDIR)$(FISHCOMPDIR)/palimpsest.fish
	@echo "Kept: $(SYSCONFDIR)/palimpsest/palimpsest.toml, $(SYSCONFDIR)/logrotate.d/palimpsest, the system user"
	@echo "palimpsest (it owns the evidence), and the state folder and deletion log (/var/lib/palimpsest):"
	@echo "remove them yourself if you mean to."

# Checks every unit in systemd/ with systemd-analyze (skipped where systemd-analyze is missing).
verify-units:
	@sh systemd/verify-units.sh
