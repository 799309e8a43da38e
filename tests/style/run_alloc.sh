#!/usr/bin/env bash
# Style check: one allocation policy (base/alloc.h). Nothing in src/ but
# base/alloc.c calls malloc, calloc, realloc, reallocarray, strdup, strndup
# or asprintf directly, and no allocation is followed by its own
# `if (!p) abort();`: the x* functions log and abort on failure.
set -euo pipefail
cd "${CRUDDUR_SRC:-$(dirname "$0")/../..}"
bad=0
while IFS= read -r hit; do
  echo "direct allocation (use base/alloc.h): $hit"
  bad=1
done < <(grep -rnE '(^|[^A-Za-z0-9_.>])(malloc|calloc|realloc|reallocarray|strdup|strndup|v?asprintf)\(' \
           --include='*.c' --include='*.h' src | grep -v '^src/base/alloc\.c:' |
         grep -vE '^[^:]+:[0-9]+:\s*(\*|/\*|//)' || true)
while IFS= read -r hit; do
  echo "allocation check of its own (use base/alloc.h): $hit"
  bad=1
done < <(grep -rnE 'if \(![A-Za-z_][A-Za-z0-9_>.-]*( \|\| ![A-Za-z_][A-Za-z0-9_>.-]*)*\) abort\(\)' \
           --include='*.c' src || true)
[ $bad -eq 0 ] && echo "style: every allocation goes through base/alloc.h"
exit $bad
