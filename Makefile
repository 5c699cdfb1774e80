# bulu - offline-first capture and reconciliation for hospital HIS outages.
#
#   make              build build/bulu
#   make check        install missing packages, build, run unit + CLI + crash tests
#   make check-asan   the same tests on an ASan+UBSan build (build-asan/)
#   make demo         a simulated outage: captured, carried to the central ledger, reconciled, scored
#   make tour         a guided tour of every command at two stations
#   make screen       the station screen on a demo station, http://127.0.0.1:8787/
#   make bench        B1-B5 of QUALITY.md, with their floors and peers
#   make torture      R1 at full size: 1,000 kill -9s across capture, export and sync import
#   make mutate       the mutations of tests/mutate/mutations.txt, each against its suites (build-mutate/)
#   make install PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/bulu
BUILD ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS = sqlite3 libsodium zlib libdeflate libcjson xlsxwriter libmicrohttpd

ifeq ($(SAN),1)
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT ?= -O1 -g
else ifeq ($(SAN),fuzz)
SANFLAGS = -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_LINK = -fsanitize=fuzzer -DBULU_LIBFUZZER
OPT ?= -O1 -g
else
OPT ?= -O2 -g
endif

WARN = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wundef -Wstrict-prototypes -Wno-format-truncation
# gcc warns of snprintf truncation that bulu checks for itself; clang lacks the flag.
ifneq ($(findstring clang,$(CC)),)
WARN += -Wno-unknown-warning-option
endif
CPPFLAGS += -Iinclude -I$(BUILD)/gen -Icli -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
CFLAGS += -std=c11 $(WARN) $(OPT) $(SANFLAGS) $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDFLAGS += $(SANFLAGS)
LDLIBS += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lcsv -lzint -lpthread

# cli/main.c is the program; everything else, the command functions and the
# helpers they share (core/cmd.c) included, goes into libbulu.a so tests and
# tools can link it.
LIB_SRC = $(sort $(wildcard core/*.c capture/*.c sync/*.c reconcile/*.c report/*.c sim/*.c web/*.c) $(filter-out cli/main.c,$(wildcard cli/*.c)))
CLI_SRC = cli/main.c
SCHEMAS = $(sort $(wildcard schemas/*.sql))
PROFILES = $(sort $(wildcard schemas/*.profile))
ASSETS = $(sort $(wildcard web/assets/*.html web/assets/*.js web/assets/*.css))
GEN_OBJ = $(SCHEMAS:schemas/%.sql=$(BUILD)/gen/schema_%.o) \
	$(PROFILES:schemas/%.profile=$(BUILD)/gen/profile_%.o) $(BUILD)/gen/web_assets.o
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o) $(GEN_OBJ)
CLI_OBJ = $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC = $(sort $(wildcard tests/tools/*.c bench/*.c))
TOOL_BIN = $(patsubst %.c,$(BUILD)/%,$(TOOL_SRC))
FUZZ_SRC = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/fuzz/%)
FUZZ_SECONDS ?= 60

.PHONY: all check check-run check-asan fuzz fuzz-run torture deps demo tour screen bench mutate install uninstall clean

all: $(BUILD)/bulu

$(BUILD)/bulu: $(CLI_OBJ) $(BUILD)/libbulu.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libbulu.a $(LDLIBS)

$(BUILD)/libbulu.a: $(LIB_OBJ) Makefile
	@rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# The DDL in schemas/ is the one source of truth; each file is compiled in
# as text: schemas/NAME.sql becomes `const char schema_NAME_sql[]`.
$(BUILD)/gen/schema_%.c: schemas/%.sql scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh schema_$*_sql $< > $@

.PRECIOUS: $(BUILD)/gen/schema_%.c
$(BUILD)/gen/schema_%.o: $(BUILD)/gen/schema_%.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# HIS profiles likewise: schemas/his-default.profile becomes
# `const char profile_his_default[]` (hyphens become underscores).
$(BUILD)/gen/profile_%.c: schemas/%.profile scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh profile_$(subst -,_,$*) $< > $@

.PRECIOUS: $(BUILD)/gen/profile_%.c
$(BUILD)/gen/profile_%.o: $(BUILD)/gen/profile_%.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The station screen's page, script and styles (web/assets/) likewise, as one
# table `const http_asset web_assets[]` of web/screen.c: nothing is read
# from disk or fetched at run time.
$(BUILD)/gen/web_assets.c: $(ASSETS) scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh --assets $(ASSETS) > $@

$(BUILD)/gen/web_assets.o: $(BUILD)/gen/web_assets.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libbulu.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka) -o $@ $< $(BUILD)/libbulu.a \
		$(LDFLAGS) $(shell $(PKG_CONFIG) --libs cmocka) $(LDLIBS)

$(BUILD)/tests/tools/%: tests/tools/%.c $(BUILD)/libbulu.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libbulu.a $(LDFLAGS) $(LDLIBS)

# A fuzz target: a corpus replayer in normal builds, libFuzzer in `make fuzz`.
$(BUILD)/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.h $(BUILD)/libbulu.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(FUZZ_LINK) -o $@ $< $(BUILD)/libbulu.a $(LDFLAGS) $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libbulu.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libbulu.a $(LDFLAGS) $(LDLIBS)

deps:
	@sh scripts/install-deps.sh

check: deps
	@$(MAKE) --no-print-directory check-run

check-run: all $(UNIT_BIN) $(TOOL_BIN) $(FUZZ_BIN)
	@sh tests/run.sh $(BUILD)

check-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 check-run

# Coverage-guided fuzzing with clang's libFuzzer, FUZZ_SECONDS per target,
# starting from tests/fuzz/corpus and the fixtures in tests/data.
fuzz:
	@sh scripts/install-deps.sh fuzz
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang SAN=fuzz fuzz-run

fuzz-run: $(FUZZ_BIN)
	@for t in $(FUZZ_BIN); do \
		n=$$(basename $$t); mkdir -p $(BUILD)/corpus/$$n tests/fuzz/corpus/$$n; \
		echo "== $$n for $(FUZZ_SECONDS) s"; \
		$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$(BUILD)/corpus/$$n tests/fuzz/corpus/$$n tests/data || exit 1; \
	done

# R1 of QUALITY.md at full size: 1,000 kill -9s across charges, notes,
# outages, bulk imports, sync exports and sync imports (tests/cli/crash.sh;
# TORTURE_RUNS to change it).  Takes a few minutes; docs/testing.md.
TORTURE_RUNS ?= 1000
torture: all $(BUILD)/tests/tools/crashtest
	@CRASH_RUNS=$(TORTURE_RUNS) BULU=$(abspath $(BUILD))/bulu TOOLS=$(abspath $(BUILD))/tests/tools \
		sh tests/cli/crash.sh

demo: deps all
	@sh scripts/demo.sh $(BUILD)/bulu

tour: deps all
	@sh scripts/tour.sh $(BUILD)/bulu

screen: deps all
	@sh scripts/screen-demo.sh $(BUILD)/bulu

bench: deps all $(TOOL_BIN)
	@sh bench/run.sh $(BUILD)

# Mutation testing: scripts/mutate.py copies the tree into build-mutate/src
# and applies each mutation there (docs/testing.md, "Mutation testing").
mutate: deps
	@python3 scripts/mutate.py

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)/schemas
	install -m 0755 $(BUILD)/bulu $(DESTDIR)$(BINDIR)/bulu
	install -m 0644 docs/bulu.1 $(DESTDIR)$(MANDIR)/man1/bulu.1
	install -m 0644 schemas/*.sql $(DESTDIR)$(DATADIR)/schemas/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/bulu $(DESTDIR)$(MANDIR)/man1/bulu.1
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-asan build-fuzz build-mutate

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
