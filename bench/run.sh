#!/usr/bin/env bash
# ./kmesh bench [--quick]: builds the daemon, the ADS server, the plugins and the harness in Release (plugins laid out
# in artifacts/bench/plugins, so the Debug layout other commands use is left alone), compiles the
# connect probe, and runs bench/Kmesh.Bench. Report and chart land in bench/results/.
# Never part of `./kmesh test`: a missed goal is reported, never a failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/artifacts/bench"
PLUGINS="$OUT/plugins"
BENCH_APT=(wrk haproxy nginx-light iptables gnuplot-nox)

say() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }

missing=()
for pkg in "${BENCH_APT[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$OUT"
# One build of exactly what the bench runs: the daemon, the ADS server, every plugin, the harness, the micro-benchmarks.
{
  printf '{ "solution": { "path": "%s", "projects": [\n' "$ROOT/Kmesh.sln"
  { echo "core/Kmesh.Daemon/Kmesh.Daemon.csproj"
    echo "core/Kmesh.Xds.Server/Kmesh.Xds.Server.csproj"
    (cd "$ROOT" && find plugins -mindepth 2 -maxdepth 2 -name '*.csproj' | sort)
    echo "bench/Kmesh.Bench/Kmesh.Bench.csproj"
    echo "bench/Kmesh.Bench.Micro/Kmesh.Bench.Micro.csproj"
  } | sed 's|/|\\\\|g; s|.*|    "&"|' | paste -sd, -
  printf '] } }\n'
} > "$OUT/bench.slnf"
say "building (Release)"
dotnet build "$OUT/bench.slnf" -c Release -nologo -v:q -clp:NoSummary -m:1 -p:KmeshPluginsOutDir="$PLUGINS/"

say "compiling the connect probe"
clang -O2 -Wall -Wextra -o "$OUT/kmb-connect" "$ROOT/bench/tools/kmb-connect.c"

BIN="bin/Release/net10.0"
exec dotnet "$ROOT/bench/Kmesh.Bench/$BIN/kmesh-bench.dll" \
  --daemon "$ROOT/core/Kmesh.Daemon/$BIN/kmesh.dll" \
  --xds-server "$ROOT/core/Kmesh.Xds.Server/$BIN/kmesh-xds.dll" \
  --plugin-dir "$PLUGINS" \
  --connect-tool "$OUT/kmb-connect" \
  --micro "$ROOT/bench/Kmesh.Bench.Micro/$BIN/Kmesh.Bench.Micro.dll" \
  --out "$ROOT/bench/results" "$@"
