# Two commands for a newcomer: `make run` and `make test`.
# build/       the program (optimised, with debug info)
# build-test/  the same sources with -Werror, ASan and UBSan, run by ctest
JOBS ?= $(shell nproc)
DATA ?= ./data
PORT ?= 4567

.PHONY: all build run test bench clean format deps test-deps

all: build

deps:
	@scripts/install-deps run

test-deps:
	@scripts/install-deps test

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRUDDUR_TESTS=OFF >/dev/null
	@cmake --build build -j $(JOBS)

run: build
	@build/cruddur serve --port $(PORT) --data $(DATA)

test: test-deps
	@cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DCRUDDUR_WERROR=ON -DCRUDDUR_SANITIZE=ON >/dev/null
	@cmake --build build-test -j $(JOBS)
	@cd build-test && ctest --output-on-failure -j $(JOBS)

bench: build
	@bench/run

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c')

clean:
	@rm -rf build build-test
