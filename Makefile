# mod_moisinno — build, run and test.
#   make          builds mod_moisinno/.libs/mod_moisinno.so (warnings are errors)
#   make run      installs what is missing, builds, serves the demo programme
#   make test     installs what is missing, builds, runs unit and integration tests
#   make bench    measures the module against static files (see README)

APXS      ?= apxs
CC        ?= cc
PKGS      := libmongoc-1.0 libsodium jansson libical
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
APR_CFLAGS = $(shell $(APXS) -q EXTRA_CPPFLAGS) -I$(shell $(APXS) -q APR_INCLUDEDIR)
WARN      := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
             -Wno-missing-field-initializers
SANITIZE  ?=
CFLAGS    ?= -g -O2
ALL_CFLAGS = $(CFLAGS) -fPIC -std=gnu11 $(WARN) $(SANITIZE) $(APR_CFLAGS) $(PKG_CFLAGS)

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
	  $(foreach f,$(WARN) $(SANITIZE) -std=gnu11 $(PKG_CFLAGS),-Wc,$(f)) \
	  $(notdir $(GLUE_SRC)) ../$(LIBMOI) $(PKG_LIBS) $(if $(SANITIZE),-Wl,$(SANITIZE)) 2>&1) \
	  || { echo "$$out"; exit 1; }
	@echo "built $(MODULE)"

$(UNIT_BIN): $(UNIT_SRC) tests/unit/unit.h $(LIBMOI)
	$(CC) $(ALL_CFLAGS) -Itests/unit -I$(SRC_DIR) -o $@ $(UNIT_SRC) $(LIBMOI) \
	  $(shell pkg-config --libs check) $(PKG_LIBS) $(shell apr-1-config --link-ld 2>/dev/null || echo -lapr-1) -laprutil-1

deps:
	@scripts/install-deps

unit: $(UNIT_BIN)
	$(UNIT_BIN)

integration: $(MODULE)
	scripts/run-integration

test: deps
	@$(MAKE) --no-print-directory all unit
	@$(MAKE) --no-print-directory integration

run: deps
	@$(MAKE) --no-print-directory all
	scripts/run-dev

bench: deps
	@$(MAKE) --no-print-directory all
	scripts/bench

format:
	clang-format -i $(SRC_DIR)/*.c $(SRC_DIR)/*.h tests/unit/*.c tests/unit/*.h

clean:
	rm -rf $(BUILD) $(SRC_DIR)/.libs $(SRC_DIR)/*.lo $(SRC_DIR)/*.slo $(SRC_DIR)/*.la $(SRC_DIR)/*.o
