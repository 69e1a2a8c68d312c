# Thin wrapper over CMake (as Neovim does): every target installs what is
# missing, configures once, and builds. See README.md.
BUILD   ?= build
ASAN    ?= build-asan
CMAKE_FLAGS ?=
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
MAKEFLAGS += --no-print-directory

PREFIX  ?= /usr/local
DESTDIR ?=

.PHONY: all deps build test test-asan demo check-memory bench bench-quick fuzz clean install

all: build

deps:
	@scripts/install-deps

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# Unit and end-to-end tests again under AddressSanitizer + UBSan.
test-asan: deps
	cmake -S . -B $(ASAN) -DCPI_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	cmake --build $(ASAN) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 ctest --test-dir $(ASAN) --output-on-failure -j $(JOBS)

demo: build
	@scripts/demo

# cpindex, cpindex-full and cpindex-igraph.so into $(DESTDIR)$(PREFIX)/bin (they run side by side),
# the generated man page into share/man/man1 and the bash completion into
# share/bash-completion/completions. DESTDIR stages it for a package.
install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

# The benchmark suite (bench/README.md): ~10k, 100k and 1M records, tens of
# minutes; bench-quick is the 10k set in under two minutes (CI runs it). Both
# write bench/results/RUN.json and RUN.md.
bench: build
	bench/run

bench-quick: build
	bench/run --quick

# The demo with every cpindex and cpgen call under valgrind memcheck: any memory
# error or definite leak fails it (tests/test_memcheck.c runs a quick subset in ctest).
VALGRIND ?= valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite
check-memory: build
	CPI_WRAP="$(VALGRIND)" DEMO_DIR=demo-memcheck scripts/demo

# libFuzzer harnesses (tests/fuzz), built with clang, FUZZ_SECONDS each (CI runs a short smoke).
FUZZ        ?= build-fuzz
FUZZ_SECONDS ?= 60
fuzz: build
	CC=clang cmake -S . -B $(FUZZ) -DCPI_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ) -j $(JOBS) --target fuzzers
	FUZZ_BUILD=$(FUZZ) scripts/fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ) demo-force demo-memcheck
