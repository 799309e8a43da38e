#!/usr/bin/env bash
# The PartiQL compat tests (test_partiql.py and the aws cli's PartiQL
# commands in test_cli.py) against both servers: run_compat.sh with only
# those files, so that they are a ctest suite of their own (compat.partiql).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
COMPAT_FILES="$here/test_partiql.py $here/test_cli.py::test_cli_partiql" exec bash "$here/run_compat.sh" "$@"
