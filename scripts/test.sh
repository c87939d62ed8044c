#!/usr/bin/env bash
# Sets up a fresh machine, builds everything (the native shim included) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "test: building and testing (Release)"
dotnet test Exemplar.slnx -c Release --logger "console;verbosity=normal" "$@"
