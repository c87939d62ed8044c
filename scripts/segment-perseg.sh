#!/usr/bin/env bash
# The main job: segments the PerSeg samples by example. For each object (cat, colorful_sneaker, duck_toy), its first
# photo and mask are the example and its other photos the targets; MobileNetV2 features (dequantised from the ONNX
# model zoo's int8 file). Writes masks and overlays to out/perseg/<object>/; existing outputs are kept (the object is
# skipped) unless --force is given.
#   scripts/segment-perseg.sh [--force]
# Reads the data and weights from $EXEMPLAR_SHARED (default: ../shared beside the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${EXEMPLAR_SHARED:-../shared}"
perseg="$shared/data/samples/perseg"
weights="$shared/weights/mobilenetv2-12-int8.onnx"
force=""
[[ "${1:-}" == "--force" ]] && force="--force"
for f in "$perseg/cat_00.jpg" "$weights"; do
  [[ -f "$f" ]] || { echo "segment-perseg: $f is missing (set EXEMPLAR_SHARED to the shared data folder)" >&2; exit 1; }
done
scripts/setup.sh
echo "segment-perseg: building (Release)" >&2
dotnet build src/Exemplar.Cli/Exemplar.Cli.csproj -c Release -v quiet -nologo >&2
for object in cat colorful_sneaker duck_toy; do
  out="out/perseg/$object"
  if [[ -z "$force" && -e "$out/${object}_01.png" ]]; then
    echo "segment-perseg: $object: $out already has masks, kept (pass --force to redo them)"
    continue
  fi
  targets=("$perseg/${object}"_0[1-9].jpg)
  echo "segment-perseg: $object: example ${object}_00.jpg, ${#targets[@]} target(s)"
  dotnet src/Exemplar.Cli/bin/Release/net10.0/exemplar.dll segment \
    --example "$perseg/${object}_00.jpg" --mask "$perseg/${object}_00.png" --class "$object" \
    --target "${targets[@]}" --out "$out" --overlay \
    --model mobilenetv2 --weights "$weights" $force
done
echo "segment-perseg: masks and overlays are in out/perseg/"
