#!/usr/bin/env bash
# Sets up a fresh machine, builds the exemplar command (Release) and runs it with the given arguments.
#   scripts/exemplar.sh info
#   scripts/exemplar.sh bench torch --json bench-torch.json     (installs python3-torch first)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "bench" ]]; then scripts/setup.sh --bench; else scripts/setup.sh; fi
echo "exemplar: building (Release)" >&2
dotnet build src/Exemplar.Cli/Exemplar.Cli.csproj -c Release -v quiet -nologo >&2
exec dotnet src/Exemplar.Cli/bin/Release/net10.0/exemplar.dll "$@"
