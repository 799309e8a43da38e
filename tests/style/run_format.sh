#!/usr/bin/env bash
# Style check: every C source and header is formatted by the project's
# .clang-format (run `make format` to fix).
set -euo pipefail
cd "${CRUDDUR_SRC:-$(dirname "$0")/../..}"
command -v clang-format >/dev/null || { echo "clang-format is not installed (scripts/install-deps test)"; exit 1; }
bad=0
while IFS= read -r f; do
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f"
    bad=1
  fi
done < <(find src tests bench -name '*.[ch]' | sort)
[ $bad -eq 0 ] && echo "style: all files formatted"
exit $bad
