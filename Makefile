# Two commands for a newcomer: `make run` and `make test`.
# build/       the program (optimised, with debug info)
# build-test/  the same sources with -Werror, ASan and UBSan, run by ctest
JOBS ?= $(shell nproc)
DATA ?= ./data
PORT ?= 4567
STREAM_WORKER ?=

.PHONY: all build run test bench clean format deps test-deps

all: build

deps:
	@scripts/install-deps run

test-deps:
	@scripts/install-deps test

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRUDDUR_TESTS=OFF >/dev/null
	@cmake --build build -j $(JOBS) -- --no-print-directory

# Sets up only what is missing (never deletes; see scripts/run), then serves.
# STREAM_WORKER=1: run the fanout in serve when the table is a remote DynamoDB.
run: build
	@DATA="$(DATA)" PORT="$(PORT)" STREAM_WORKER="$(STREAM_WORKER)" scripts/run build/cruddur

test: test-deps
	@cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DCRUDDUR_WERROR=ON -DCRUDDUR_SANITIZE=ON >/dev/null
	@cmake --build build-test -j $(JOBS) -- --no-print-directory
	@cd build-test && ctest --output-on-failure -j $(JOBS)

# The stream Lambda (provided.al2023): build/lambda/cruddur-messaging-stream.zip
# holds `bootstrap` and the shared libraries it needs (docs/lambda.md).
.PHONY: lambda
lambda: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRUDDUR_TESTS=OFF >/dev/null
	@cmake --build build -j $(JOBS) --target lambda_zip

bench: build
	@scripts/install-deps bench
	@bench/run

# Mixed API and DynamoDB traffic against the optimised build for SOAK_SECONDS
# (default 600): fails on any error or when RSS is not flat (tests/soak/soak.py).
.PHONY: soak
soak: build test-deps
	@CRUDDUR_BIN=$(CURDIR)/build/cruddur /usr/bin/python3 -u tests/soak/soak.py

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c')

# Long fuzzing runs (clang, libFuzzer): every target for FUZZ_TIME seconds;
# what the fuzzers find is kept in build-test/fuzz-corpus for the next run.
FUZZ_TIME ?= 600
.PHONY: fuzz
fuzz: test-deps
	@FUZZ_TIME=$(FUZZ_TIME) FUZZ_CORPUS_DIR=$(CURDIR)/build-test/fuzz-corpus \
	  CRUDDUR_SRC=$(CURDIR) CRUDDUR_BUILD=$(CURDIR)/build-test tests/fuzz/run_fuzz.sh

clean:
	@rm -rf build build-test
