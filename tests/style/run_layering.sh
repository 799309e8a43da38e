#!/usr/bin/env bash
# Layering check: every #include and every call between the object files of
# src/ follows the one-way module dependencies that CMakeLists.txt declares
# (cruddur_module lines; docs/ARCHITECTURE.md), private headers stay in their
# folder, and no circle of files spans two folders (tests/style/layering.py).
set -euo pipefail
src="${CRUDDUR_SRC:-$(dirname "$0")/../..}"
exec /usr/bin/python3 "$src/tests/style/layering.py" "$src" ${CRUDDUR_BUILD:+"$CRUDDUR_BUILD"}
