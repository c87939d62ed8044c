#!/usr/bin/env bash
# Installs what Exemplar needs on a fresh Debian 12 machine with the .NET SDK, skipping what is already there.
#   scripts/setup.sh          build and run: libtorch, Gloo headers (distributed), CMake, g++, OpenBLAS; python3-onnx (the ONNX checker the tests run);
#                             chromium (the browser the web page's Playwright test drives; Playwright never downloads one)
#                             ffmpeg (video files for exemplar track: decoding and encoding over pipes)
#   scripts/setup.sh --bench  also Debian's PyTorch (python3-torch), the reference the benchmarks compare against
set -euo pipefail

packages=(libtorch-dev libgloo-dev cmake g++ make libopenblas0-pthread libturbojpeg0 libspng0 python3-onnx chromium ffmpeg)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(python3-torch)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all packages present (${packages[*]})"
else
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: installed ${missing[*]}"
fi

if ! command -v dotnet >/dev/null; then
  echo "setup: the .NET SDK (dotnet) is not on PATH; install .NET 10 first" >&2
  exit 1
fi
