# mod_moisinno — build, run and test.
#   make          builds mod_moisinno/.libs/mod_moisinno.so (warnings are errors)
#   make run      installs what is missing, builds, serves the demo programme
#   make test     installs what is missing, builds, runs unit and integration tests
#                 BACKEND=postgresql  the development database on PostgreSQL
#                                     (a private cluster for the run) instead of SQLite
#                 SANITIZE=1          the module built with ASan + UBSan (see below)
#                 PYTEST="-k NAME"    arguments for pytest (integration tests)
#   make valgrind httpd -X under valgrind's memcheck with a request mix (see below)
#   make bench    measures the module against static files (see README)

APXS      ?= apxs
CC        ?= cc
PKGS      := libmongoc-1.0 libsodium jansson libical
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
APR_CFLAGS = $(shell $(APXS) -q EXTRA_CPPFLAGS) -I$(shell $(APXS) -q APR_INCLUDEDIR)
WARN      := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
             -Wno-missing-field-initializers
# SAN_FLAGS: sanitizer flags for the compiler and the link (set by SANITIZE=1).
SAN_FLAGS ?=
CFLAGS    ?= -g -O2
ALL_CFLAGS = $(CFLAGS) -fPIC -std=gnu11 $(WARN) $(SAN_FLAGS) $(APR_CFLAGS) $(PKG_CFLAGS)
BACKEND   ?= sqlite
SANITIZE  ?=
PYTEST    ?= $(ASAN_PYTEST)
ifeq ($(filter $(BACKEND),sqlite postgresql),)
$(error BACKEND=$(BACKEND): sqlite (default) or postgresql)
endif
ifeq ($(filter $(SANITIZE),0 1),)
ifneq ($(SANITIZE),)
$(error SANITIZE=$(SANITIZE): 1 (ASan + UBSan) or nothing; compiler flags go in SAN_FLAGS)
endif
endif
DEPS_OPTS := $(if $(filter postgresql,$(BACKEND)),--postgresql)

SRC_DIR   := mod_moisinno
BUILD     := build
PURE_SRC  := $(wildcard $(SRC_DIR)/moi_*.c)
PURE_OBJ  := $(patsubst $(SRC_DIR)/%.c,$(BUILD)/%.o,$(PURE_SRC)) $(BUILD)/moi_assets_data.o \
             $(BUILD)/moi_geo_data.o
ASSETS    := $(wildcard htdocs/*.css htdocs/*.js htdocs/*.svg htdocs/*.json)
GLUE_SRC  := $(wildcard $(SRC_DIR)/mod_moisinno*.c)
HEADERS   := $(wildcard $(SRC_DIR)/*.h)
LIBMOI    := $(BUILD)/libmoi.a
MODULE    := $(SRC_DIR)/.libs/mod_moisinno.so

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(BUILD)/unit_tests

.PHONY: all run test unit integration bench clean deps format
all: $(MODULE)

$(BUILD):
	mkdir -p $(BUILD)

$(BUILD)/%.o: $(SRC_DIR)/%.c $(HEADERS) | $(BUILD)
	@echo "  CC $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/moi_assets_data.c: $(ASSETS) scripts/embed-assets | $(BUILD)
	@python3 scripts/embed-assets $@ $(ASSETS)

$(BUILD)/moi_assets_data.o: $(BUILD)/moi_assets_data.c $(SRC_DIR)/moi_assets.h
	@echo "  CC $<"
	@$(CC) $(ALL_CFLAGS) -I$(SRC_DIR) -c -o $@ $<

$(BUILD)/moi_geo_data.c: data/departements.csv scripts/gen-geo | $(BUILD)
	@python3 scripts/gen-geo $@ data/departements.csv

$(BUILD)/moi_geo_data.o: $(BUILD)/moi_geo_data.c $(SRC_DIR)/moi_geo.h
	@echo "  CC $<"
	@$(CC) $(ALL_CFLAGS) -I$(SRC_DIR) -c -o $@ $<

$(LIBMOI): $(PURE_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(MODULE): $(GLUE_SRC) $(HEADERS) $(LIBMOI)
	@cd $(SRC_DIR) && out=$$($(APXS) -c -o mod_moisinno.la \
	  $(foreach f,$(WARN) $(SAN_FLAGS) -std=gnu11 $(PKG_CFLAGS),-Wc,$(f)) \
	  $(notdir $(GLUE_SRC)) ../$(LIBMOI) $(PKG_LIBS) $(SAN_FLAGS) 2>&1) \
	  || { echo "$$out"; exit 1; }
	@echo "built $(MODULE)"

$(UNIT_BIN): $(UNIT_SRC) tests/unit/unit.h $(LIBMOI)
	$(CC) $(ALL_CFLAGS) -Itests/unit -I$(SRC_DIR) -o $@ $(UNIT_SRC) $(LIBMOI) \
	  $(shell pkg-config --libs check) $(PKG_LIBS) $(shell apr-1-config --link-ld 2>/dev/null || echo -lapr-1) -laprutil-1

deps:
	@scripts/install-deps $(DEPS_OPTS)

unit: $(UNIT_BIN)
	$(UNIT_BIN)

integration: $(MODULE)
	scripts/run-integration --backend $(BACKEND) $(PYTEST)

ifeq ($(SANITIZE),1)
test: deps
	@$(MAKE) --no-print-directory test-sanitized
else
test: deps
	@$(MAKE) --no-print-directory all unit
	@$(MAKE) --no-print-directory integration
endif

run: deps
	@$(MAKE) --no-print-directory all
	scripts/run-dev

# make bench [N="350 10000"]: the programme sizes to measure (BENCH_N)
bench: deps
	@$(MAKE) --no-print-directory all
	$(if $(N),BENCH_N="$(N)") scripts/bench

format:
	clang-format -i $(SRC_DIR)/*.c $(SRC_DIR)/*.h tests/unit/*.c tests/unit/*.h

clean:
	rm -rf $(BUILD) $(SRC_DIR)/.libs $(SRC_DIR)/*.lo $(SRC_DIR)/*.slo $(SRC_DIR)/*.la $(SRC_DIR)/*.o

# ---- Fuzzing: clang + libFuzzer, ASan + UBSan (tests/fuzz, README) ------
#   make fuzz-build            builds one fuzzer per parser and per output in build/fuzz/
#   make fuzz [FUZZ_SECONDS=n] runs each for n seconds (default 60); fails on a crash
#   make fuzz-smoke            each over its seeds and 5000 mutations (under a minute)
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_RUNS ?= 5000
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_SAN     := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS  := -g -O1 -fno-omit-frame-pointer -std=gnu11 $(filter-out -Werror,$(WARN)) \
                $(FUZZ_SAN) $(APR_CFLAGS) $(PKG_CFLAGS) -I$(SRC_DIR) \
                $(shell pkg-config --cflags libxml-2.0 2>/dev/null)
FUZZ_LIBS     = $(PKG_LIBS) $(shell apr-1-config --link-ld 2>/dev/null || echo -lapr-1) \
                -laprutil-1 -ldl $(shell pkg-config --libs libxml-2.0 2>/dev/null)
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(filter-out tests/fuzz/fuzz_common.c,\
                $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_OBJ     := $(patsubst $(SRC_DIR)/%.c,$(FUZZ_DIR)/%.o,$(PURE_SRC)) \
                $(FUZZ_DIR)/moi_assets_data.o $(FUZZ_DIR)/moi_geo_data.o
FUZZ_BINS    := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))

.PHONY: fuzz-build fuzz-bins fuzz fuzz-smoke fuzz-deps
fuzz-deps:
	@scripts/install-deps --fuzz

fuzz-build: fuzz-deps
	@$(MAKE) --no-print-directory fuzz-bins

fuzz-bins: $(FUZZ_BINS)
	@:

$(FUZZ_DIR):
	mkdir -p $(FUZZ_DIR)

$(FUZZ_DIR)/%.o: $(SRC_DIR)/%.c $(HEADERS) | $(FUZZ_DIR)
	@echo "  FUZZ-CC $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_DIR)/%.o: $(BUILD)/%.c $(HEADERS) | $(FUZZ_DIR)
	@echo "  FUZZ-CC $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_DIR)/%.o: tests/fuzz/%.c tests/fuzz/fuzz.h tests/fuzz/htmltok.h $(HEADERS) | $(FUZZ_DIR)
	@echo "  FUZZ-CC $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -Itests/fuzz -c -o $@ $<

# The HTML reader of the harness: sanitizers but no coverage (its branches
# are not the module's, and the pages are long).
$(FUZZ_DIR)/htmltok.o: tests/fuzz/htmltok.c tests/fuzz/htmltok.h | $(FUZZ_DIR)
	@echo "  FUZZ-CC $<"
	@$(FUZZ_CC) $(filter-out -O1 $(FUZZ_SAN),$(FUZZ_CFLAGS)) -O2 \
	  -fsanitize=address,undefined -fno-sanitize-recover=all -c -o $@ $<

$(FUZZ_DIR)/libmoi_fuzz.a: $(FUZZ_OBJ)
	@rm -f $@
	@ar rcs $@ $^

# -rdynamic: the harness's apr_palloc() replaces libapr's (tests/fuzz/fuzz.h).
$(FUZZ_BINS): $(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/fuzz_%.o $(FUZZ_DIR)/fuzz_common.o \
                                 $(FUZZ_DIR)/htmltok.o $(FUZZ_DIR)/libmoi_fuzz.a
	@echo "  FUZZ-LD $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -rdynamic -o $@ $^ $(FUZZ_LIBS)

fuzz: fuzz-build
	@scripts/fuzz-run time $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The CI's short run (.ci/run): every target over its seeds, then
# FUZZ_SMOKE_RUNS inputs mutated from them with a fixed seed.
fuzz-smoke: fuzz-build
	@scripts/fuzz-run smoke $(FUZZ_SMOKE_RUNS) $(FUZZ_TARGETS)

# ---- make test SANITIZE=1: the module built with ASan + UBSan ------------
#   Rebuilds the module, build/libmoi.a and the unit tests with
#   SAN_FLAGS=$(ASAN_SAN_FLAGS), runs the unit tests (ASan's leak checker
#   on) and tests/integration with httpd preloading the ASan runtime
#   (MOISINNO_ASAN=1, tests/integration/moienv.py), then rebuilds the normal
#   module whatever the result; after an interrupted run, `make clean all`
#   does that. `make test-asan` is the same as `make test SANITIZE=1`.
ASAN_SAN_FLAGS ?= -fsanitize=address,undefined -fno-omit-frame-pointer
ASAN_PYTEST    ?=
MODULE_CLEAN    = rm -rf $(PURE_OBJ) $(LIBMOI) $(UNIT_BIN) $(SRC_DIR)/.libs $(SRC_DIR)/*.lo \
                  $(SRC_DIR)/*.slo $(SRC_DIR)/*.la $(SRC_DIR)/*.o

.PHONY: test-sanitized test-asan
test-sanitized:
	@$(MODULE_CLEAN)
	@rc=0; \
	  $(MAKE) --no-print-directory all $(UNIT_BIN) SAN_FLAGS="$(ASAN_SAN_FLAGS)" || rc=$$?; \
	  if [ $$rc -eq 0 ]; then \
	    echo "unit tests (ASan + UBSan)"; \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(UNIT_BIN) || rc=$$?; \
	  fi; \
	  if [ $$rc -eq 0 ]; then \
	    MOISINNO_ASAN=1 scripts/run-integration --backend $(BACKEND) $(PYTEST) || rc=$$?; \
	  fi; \
	  echo "rebuilding the module without sanitizers"; \
	  $(MODULE_CLEAN); $(MAKE) --no-print-directory all SAN_FLAGS= || rc=$$?; exit $$rc

test-asan:
	@$(MAKE) --no-print-directory test SANITIZE=1

# ---- make valgrind: httpd -X under memcheck with a request mix ------------
#   Installs valgrind if missing, builds the module, then
#   tests/valgrind/run.py runs `apache2 -X` (mpm_prefork, one process) under
#   valgrind --leak-check=full against a development database with the demo
#   programme, drives a mix of requests, stops httpd with SIGTERM and fails
#   on any invalid access or use of an uninitialised value, or on a
#   definitely or indirectly lost block allocated under mod_moisinno
#   (suppressions: tests/valgrind/moisinno.supp). VALGRIND_ARGS=--keep keeps
#   its files.
VALGRIND_ARGS ?=

.PHONY: valgrind
valgrind:
	@scripts/install-deps --valgrind
	@$(MAKE) --no-print-directory all
	@scripts/devdb-build >/dev/null
	var/venv/bin/python tests/valgrind/run.py $(VALGRIND_ARGS)
