#!/usr/bin/env bash
# Fuzz the config reader or the xDS response decoder for a bounded time under afl++ (SharpFuzz).
#   tests/fuzz/run.sh [config|xds] [SECONDS]     default: config, 300 s
# Needs afl++ (apt-get install afl++) and the SharpFuzz tool (dotnet tool install -g
# SharpFuzz.CommandLine --version 2.3.0). Findings land in artifacts/fuzz/TARGET/default/crashes;
# replay one on an uninstrumented build (the instrumented one needs afl++'s shared memory):
#   dotnet build tests/fuzz/Kmesh.Fuzz -c Debug && dotnet tests/fuzz/Kmesh.Fuzz/bin/Debug/net10.0/kmesh-fuzz.dll TARGET FILE
# Not part of ./kmesh test or CI: every crash it finds becomes a regression test instead.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TARGET="${1:-config}"
SECONDS_TO_RUN="${2:-300}"
OUT="$ROOT/artifacts/fuzz/$TARGET"
BIN="$ROOT/tests/fuzz/Kmesh.Fuzz/bin/Release/net10.0"
SHARPFUZZ="$(command -v sharpfuzz || echo /opt/sharpfuzz/sharpfuzz)"
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install afl++" >&2; exit 1; }
[ -x "$SHARPFUZZ" ] || { echo "sharpfuzz not found: dotnet tool install -g SharpFuzz.CommandLine --version 2.3.0" >&2; exit 1; }

dotnet build "$ROOT/tests/fuzz/Kmesh.Fuzz/Kmesh.Fuzz.csproj" -c Release -nologo -v:q -clp:NoSummary
# Instrument what is fuzzed (once per build: sharpfuzz refuses an assembly it already rewrote).
for dll in Kmesh.Xds.dll YamlDotNet.dll Google.Protobuf.dll; do
  "$SHARPFUZZ" "$BIN/$dll" 2>&1 | grep -v "already instrumented" || true
done

SEEDS="$OUT/seeds"
mkdir -p "$SEEDS"
if [ "$TARGET" = config ]; then
  cp "$ROOT"/examples/*.yaml "$SEEDS"/ 2>/dev/null || true
  find "$ROOT/tests/corpus" -name '*.yaml' -size -8k | head -n 30 | xargs -r cp -t "$SEEDS"
else
  # A few real DiscoveryResponses, written by the decoder's own types.
  dotnet "$BIN/kmesh-fuzz.dll" seeds "$SEEDS" 2>/dev/null || printf '\x0a\x00' > "$SEEDS/empty.bin"
fi

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1
afl-fuzz -V "$SECONDS_TO_RUN" -t 10000 -m none -i "$SEEDS" -o "$OUT" -- dotnet "$BIN/kmesh-fuzz.dll" "$TARGET" || true
crashes=$(find "$OUT/default/crashes" "$OUT/default/hangs" -type f ! -name README.txt 2>/dev/null | wc -l)
echo "fuzz $TARGET: $crashes crashes or hangs in $OUT/default (replay on a Debug build, see the top of this script)"
