#!/usr/bin/env bash
# Fuzzing: builds the libFuzzer targets (fuzz/fuzz_*.c) with clang in a
# build directory of their own ($CRUDDUR_BUILD/fuzz-build), replays every
# kept regression input (fuzz/regressions/<target>/), then fuzzes each
# target for FUZZ_TIME seconds (default 15) from its seed corpus
# (fuzz/corpus/<target>/) with its dictionary (fuzz/<target>.dict). Fails
# on any crash, sanitizer report, leak or timeout; the input that failed is
# saved under $CRUDDUR_BUILD/fuzz-artifacts/<target>/.
#
#   FUZZ_TIME=600 tests/fuzz/run_fuzz.sh          (what `make fuzz` runs)
#   FUZZ_TARGETS="expr ddb" ...                   only some targets
#   FUZZ_CORPUS_DIR=DIR ...                       keep what the fuzzer finds in
#                                                 DIR/<target> across runs
#                                                 (default: a temporary folder)
set -euo pipefail
src=${CRUDDUR_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${CRUDDUR_BUILD:-$src/build-test}
time_s=${FUZZ_TIME:-15}
fbuild=$build/fuzz-build
artifacts=$build/fuzz-artifacts

cc=$(command -v clang-14 || command -v clang || true)
if [ -z "$cc" ]; then
  echo "fuzz: clang is not installed (scripts/install-deps test)"
  exit 1
fi

# Configure once; later runs only rebuild what changed.
if [ ! -f "$fbuild/CMakeCache.txt" ]; then
  CC=$cc cmake -S "$src" -B "$fbuild" -DCMAKE_BUILD_TYPE=Debug -DCRUDDUR_FUZZ=ON \
    -DCRUDDUR_TESTS=OFF >/dev/null
fi
cmake --build "$fbuild" --target fuzzers -j "$(nproc)" >"$fbuild/build.log" 2>&1 || {
  tail -40 "$fbuild/build.log"
  echo "fuzz: building the fuzz targets failed (log: $fbuild/build.log)"
  exit 1
}

export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

targets=${FUZZ_TARGETS:-$(cd "$src/fuzz" && ls fuzz_*.c | sed -e 's/^fuzz_//' -e 's/\.c$//' |
  grep -vx http)}
failed=()
for t in $targets; do
  bin=$fbuild/fuzz/fuzz_$t
  if [ ! -x "$bin" ]; then
    echo "fuzz: $t: not built (its modules are missing)"
    failed+=("$t")
    continue
  fi
  mkdir -p "$artifacts/$t"
  log=$tmp/$t.log

  # Every kept regression input, replayed one by one.
  regs=()
  if [ -d "$src/fuzz/regressions/$t" ]; then
    while IFS= read -r f; do regs+=("$f"); done < <(find "$src/fuzz/regressions/$t" -type f | sort)
  fi
  if [ ${#regs[@]} -gt 0 ]; then
    if ! "$bin" -artifact_prefix="$artifacts/$t/" "${regs[@]}" >"$log" 2>&1; then
      grep -E 'ERROR|SUMMARY|Running:|runtime error|fuzz_' "$log" | tail -20
      echo "fuzz: $t: a regression input fails again (log above)"
      failed+=("$t")
      continue
    fi
  fi

  # Then fuzz from the seeds; new inputs go to the working corpus.
  work=${FUZZ_CORPUS_DIR:+$FUZZ_CORPUS_DIR/$t}
  work=${work:-$tmp/corpus-$t}
  mkdir -p "$work"
  seeds=("$src/fuzz/corpus/$t")
  [ -d "$src/fuzz/regressions/$t" ] && seeds+=("$src/fuzz/regressions/$t")
  dict=()
  [ -f "$src/fuzz/$t.dict" ] && dict=(-dict="$src/fuzz/$t.dict")
  if "$bin" -max_total_time="$time_s" -timeout=30 -rss_limit_mb=4096 -max_len=8192 \
      -artifact_prefix="$artifacts/$t/" -print_final_stats=1 "${dict[@]}" "$work" "${seeds[@]}" >"$log" 2>&1; then
    runs=$(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$log" | grep -Eo '[0-9]+$' || echo '?')
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 || true)
    echo "fuzz: $t: ok ($runs runs in ${time_s}s, $cov)"
  else
    grep -Ev '^(#[0-9]|INFO:|	NEW_FUNC|stat::)' "$log" | head -60
    echo "fuzz: $t: FAILED; input saved in $artifacts/$t/ (fix it, then keep it in" \
      "fuzz/regressions/$t/)"
    failed+=("$t")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}"
  exit 1
fi
echo "fuzz: all targets ok"
