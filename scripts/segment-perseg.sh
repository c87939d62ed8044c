#!/usr/bin/env bash
# The main job: segments the PerSeg samples of samples/perseg by example. For each object (cat, duck_toy) its first
# photo and mask are the example and its other photos the targets, run by Exemplar.Runtime (ONNX Runtime) with the
# default bundle models/mobilenetv2-int8.exemplar (the ONNX model zoo's int8 MobileNetV2 and the trained in-context
# decoder). Needs nothing outside the repository. Writes masks and overlays to out/perseg/<object>/;
# existing outputs are kept (the object is skipped) unless --force is given.
#   scripts/segment-perseg.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/.."
perseg="samples/perseg"
force=""
[[ "${1:-}" == "--force" ]] && force="--force"
scripts/setup.sh
echo "segment-perseg: building (Release)" >&2
dotnet build src/Exemplar.Cli/Exemplar.Cli.csproj -c Release -v quiet -nologo >&2
for object in cat duck_toy; do
  out="out/perseg/$object"
  if [[ -z "$force" && -e "$out/${object}_01.png" ]]; then
    echo "segment-perseg: $object: $out already has masks, kept (pass --force to redo them)"
    continue
  fi
  targets=("$perseg/${object}"_0[1-9].jpg)
  echo "segment-perseg: $object: example ${object}_00.jpg, ${#targets[@]} target(s)"
  dotnet src/Exemplar.Cli/bin/Release/net10.0/exemplar.dll segment \
    --example "$perseg/${object}_00.jpg" --mask "$perseg/${object}_00.png" --class "$object" \
    --target "${targets[@]}" --out "$out" --overlay $force
done
echo "segment-perseg: masks and overlays are in out/perseg/"
