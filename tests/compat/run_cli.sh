#!/usr/bin/env bash
# The scripted aws cli session (test_cli_session.py): each step run against
# both servers, the outputs compared. run_compat.sh with only that file, so
# that its ~120 cli processes are a ctest suite of their own (compat.cli).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
COMPAT_FILES="$here/test_cli_session.py" exec bash "$here/run_compat.sh" "$@"
