#!/usr/bin/env bash
# Issue 16 with the real processes: `kmesh xds serve --dir` on the one-endpoint bench's layout
# (10 000 services / 100 000 endpoints in 100 files) and `kmesh run --xds ... --xds-mode MODE`
# (MODE delta or sotw), or `kmesh run --config FILE` on the same resources in one file (MODE file:
# one `resources:` list, which the file source reads item by item, as it now reads `./kmesh bench`'s
# bootstrap, `static_resources:`; the 2026-12-07 full report predates that),
# attached to an empty cgroup of its own (no process in it: nothing on the machine is governed).
# Prints: ready time (daemon start → its "ready" line) and how many updates were written until
# then, the daemon's RSS beside the GC's own figures (heap size by generation after the last
# collection, committed) when ready and after the changes, and per one-endpoint change the
# wall time (rename → the daemon's next "Applied config" line), the daemon's and the server's
# CPU (utime+stime from /proc).
# Needs root (BPF) and a built tree (./kmesh build; the micro bench of that configuration too).
# Usage: sudo [GCDUMP=FILE] [TRACE=FILE (a CPU-sampling trace of the daemon's start to ready, speedscope; bench/tools/cpu-by-frame.py reads it)] [KEEP=1 (the logs stay)] [DAEMON=kmesh.dll (another build, e.g. a ReadyToRun publish)] [WARMUP=80 (changes made first, not measured: tiered compilation recompiles what a change runs after ~30 and ~60 calls)] [PLUGIN_DIR=DIR (default artifacts/plugins, Debug; artifacts/bench/plugins is the bench's Release layout)] bench/scale16-daemon.sh [delta|sotw|file] [changes] [configuration]
set -euo pipefail
MODE=${1:-delta}
CHANGES=${2:-20}
CONF=${3:-Debug}
WARMUP=${WARMUP:-80}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DAEMON=${DAEMON:-$ROOT/core/Kmesh.Daemon/bin/$CONF/net10.0/kmesh.dll}
PLUGIN_DIR=${PLUGIN_DIR:-$ROOT/artifacts/plugins}
SERVER=$ROOT/core/Kmesh.Xds.Server/bin/$CONF/net10.0/kmesh-xds.dll
MICRO=${MICRO:-$ROOT/bench/Kmesh.Bench.Micro/bin/$CONF/net10.0/Kmesh.Bench.Micro.dll}
COUNTERS=${COUNTERS:-$HOME/.dotnet/tools/dotnet-counters}
WORK=$(mktemp -d /tmp/kmesh-scale16-XXXXXX)
CGROUP=/sys/fs/cgroup/unified/kmesh-scale16-$$
PINS=/sys/fs/bpf/kmesh-scale16-$$
SERVER_PID= DAEMON_PID= TRACE_PID=

cleanup() {
  [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [ -n "$TRACE_PID" ] && kill "$TRACE_PID" 2>/dev/null || true
  rmdir "$CGROUP" 2>/dev/null || true
  rm -rf "$PINS"; [ -n "${KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 143" TERM INT # a killed run (timeout) cleans up too

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
# A process's CPU in µs, all its threads' (exited ones too), from the scheduler's own nanosecond
# accounting: the process CPU-time clock of clock_getcpuclockid(3) (the clock ticks of /proc/PID/stat
# are 10 ms, as long as a one-endpoint change should take).
cpu_us() { python3 -c "import time; print(time.clock_gettime_ns(((~$1) << 3) | 2) // 1000)"; }
# The daemon's last "Applied config" line's own time stamp, in ns since the epoch (the log's clock is
# the machine's: the time the update was written, not when this script's polling noticed it).
applied_at() { date -d "$(grep "Applied config" "$WORK/daemon.log" | tail -1 | cut -d' ' -f1)" +%s%N; }
rss_mib() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
heap_mib() { curl -s "$ADMIN/metrics" | awk '/^dotnet_total_memory_bytes / {printf "%.0f", $2 / 1048576}'; }
# Collections so far by generation (prometheus-net's runtime metrics on the admin port): "gen0/gen1/gen2".
gc_counts() { curl -s "$ADMIN/metrics" | awk -F'[ "]' '/^dotnet_collection_count_total/ { c[$2] = $NF } END { printf "%d/%d/%d", c[0], c[1], c[2] }'; }
applied() { grep -c "Applied config" "$WORK/daemon.log" || true; }
# The GC's view (System.Runtime meter, one sample): heap size by generation after the last collection, and committed.
gc_mib() {
  local csv=$WORK/counters.csv
  rm -f "$csv"
  "$COUNTERS" collect -p "$1" --counters 'System.Runtime[dotnet.gc.last_collection.heap.size,dotnet.gc.last_collection.memory.committed_size]' \
    --format csv -o "$csv" --duration 00:00:00:03 >/dev/null 2>&1 || { echo "(dotnet-counters unavailable)"; return; }
  awk -F, 'NR > 1 { n = $3; sub(/.*\[/, "", n); sub(/\].*/, "", n); if ($3 ~ /committed/) n = "committed"; v[n] = $NF }
    END { for (k in v) printf "%s %.0f, ", k, v[k] / 1048576; }' "$csv" | sed 's/, $/ MiB/'
}
# One file of the whole layout (MODE file): the 100 files' resources under one resources: list, replaced by a rename.
combine() { { echo "resources:"; for f in "$WORK/dir"/*.yaml; do tail -n +2 "$f"; done; } >"$WORK/mesh.tmp" && mv "$WORK/mesh.tmp" "$WORK/mesh.yaml"; }
pct() { tr ' ' '\n' | sort -n | awk -v p="$1" '{ a[NR] = $1 } END { i = int((NR * p + 99) / 100); if (i < 1) i = 1; print a[i] }'; }

mkdir -p "$WORK/dir" "$CGROUP"
dotnet "$MICRO" --one-endpoint --write-layout "$WORK/dir" >/dev/null
if [ "$MODE" = file ]; then
  combine
  SOURCE=(--config "$WORK/mesh.yaml")
else
  dotnet "$SERVER" serve --dir "$WORK/dir" --port 0 >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  until PORT=$(grep -oP 'on 127\.0\.0\.1:\K[0-9]+' "$WORK/server.log" | head -1) && [ -n "$PORT" ]; do sleep 0.1; done
  SOURCE=(--xds "127.0.0.1:$PORT" --xds-mode "$MODE")
fi

start=$(date +%s.%N)
dotnet "$DAEMON" run "${SOURCE[@]}" --cgroup "$CGROUP" --bpffs "$PINS" \
  --plugin-dir "$PLUGIN_DIR" --admin 127.0.0.1:0 >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
if [ -n "${TRACE:-}" ]; then
  # Attached as soon as the runtime answers (its first ~0.2 s, the runtime's own start, are not in the trace).
  "$HOME/.dotnet/tools/dotnet-trace" collect -p "$DAEMON_PID" --format Speedscope -o "$TRACE" >"$WORK/trace.log" 2>&1 &
  TRACE_PID=$!
fi
# The ready line itself (kmesh[1] "ready: N listeners..."): a usage error's text may hold the word.
until grep -q ' ready: ' "$WORK/daemon.log"; do
  kill -0 "$DAEMON_PID" 2>/dev/null || { cat "$WORK/daemon.log"; exit 1; }
  sleep 0.05
done
ready=$(echo "$(date +%s.%N) - $start" | bc)
if [ -n "${TRACE:-}" ]; then
  kill -TERM "$TRACE_PID"; wait "$TRACE_PID" || true # (SIGINT is ignored by a background job of a script)
  echo "trace to ready (the tracer's own overhead included: the ready time below is not comparable): $TRACE"
fi
ADMIN=$(grep -oP 'Admin API on \Khttp://[0-9.:]+' "$WORK/daemon.log" | head -1)
sleep 2
echo "mode $MODE ($CONF build): ready in ${ready} s (daemon start → ready line); daemon CPU to ready $(( $(ticks $DAEMON_PID) * 1000 / hz )) ms; updates applied until then: $(applied)"
# The timeline to ready: connect, each response (held while the first fetch warms, or judged), the write.
grep -E "xDS connecting|checked \(|accepted, not applied|Applied config|read: |read whole|first ready" "$WORK/daemon.log" | head -9 | cut -c1-230
echo "updates accepted while warming, not written: $(grep -c 'not applied yet' "$WORK/daemon.log" || true)"
echo "when ready (+2 s): daemon RSS $(rss_mib $DAEMON_PID) MiB, managed heap $(heap_mib) MiB; GC: $(gc_mib $DAEMON_PID)"
# GCDUMP=FILE: the daemon's heap by type when ready (dotnet-gcdump, a NuGet tool), for where the memory goes.
if [ -n "${GCDUMP:-}" ]; then
  "$HOME/.dotnet/tools/dotnet-gcdump" collect -p "$DAEMON_PID" -o "$GCDUMP" >/dev/null
  "$HOME/.dotnet/tools/dotnet-gcdump" report "$GCDUMP" | head -40
fi

# What the daemon and the server spend with nothing changing (timers, metrics), over windows as long
# as a change's: subtracted from each change's CPU below.
idle_d=0 idle_s=0
for i in 1 2 3 4 5; do
  d0=$(cpu_us $DAEMON_PID) s0=$([ -n "$SERVER_PID" ] && cpu_us $SERVER_PID || echo 0)
  sleep 0.55
  idle_d=$((idle_d + $(cpu_us $DAEMON_PID) - d0))
  idle_s=$((idle_s + $([ -n "$SERVER_PID" ] && cpu_us $SERVER_PID || echo 0) - s0))
done
idle_d=$((idle_d / 5)) idle_s=$((idle_s / 5))
echo "idle, per 0.55 s window: daemon CPU $((idle_d / 1000)).$(( (idle_d % 1000) / 100 )) ms, server CPU $((idle_s / 1000)).$(( (idle_s % 1000) / 100 )) ms"
daemon_us=() server_us=() wall_us=() daemon_gross=() server_gross=() gc_before=""
for i in $(seq 0 $((WARMUP + CHANGES - 1))); do
  [ "$i" -eq "$WARMUP" ] && gc_before=$(gc_counts) # before the first measured change
  before=$(applied)
  if [ "$MODE" = file ]; then
    # The clock starts at the rename the daemon sees (the new file is made before).
    dotnet "$MICRO" --one-endpoint --move-endpoint "$WORK/dir" "$i" >/dev/null
    { echo "resources:"; for f in "$WORK/dir"/*.yaml; do tail -n +2 "$f"; done; } >"$WORK/mesh.tmp"
    d0=$(cpu_us $DAEMON_PID) s0=0 t0=$(date +%s%N)
    mv "$WORK/mesh.tmp" "$WORK/mesh.yaml"
  else
    # The clock starts at the rename the server sees (the generator leaves the new file staged).
    read -r staged target < <(dotnet "$MICRO" --one-endpoint --move-endpoint "$WORK/dir" "$i" --staged)
    d0=$(cpu_us $DAEMON_PID) s0=$(cpu_us $SERVER_PID) t0=$(date +%s%N)
    mv "$staged" "$target"
  fi
  until [ "$(applied)" -gt "$before" ]; do sleep 0.01; done
  t1=$(applied_at)
  sleep 0.5 # what the update leaves (the ACK, a collection) is counted with it
  [ "$i" -lt "$WARMUP" ] && continue # tiered compilation is still at work: a daemon runs for days
  wall_us+=($(( (t1 - t0) / 1000 )))
  d1=$(cpu_us $DAEMON_PID) s1=$([ -n "$SERVER_PID" ] && cpu_us $SERVER_PID || echo 0)
  daemon_gross+=($((d1 - d0))) server_gross+=($((s1 - s0)))
  daemon_us+=($((d1 - d0 - idle_d))) server_us+=($((s1 - s0 - idle_s)))
done
ms() { awk '{ for (i = 1; i <= NF; i++) printf "%s%.1f", (i > 1 ? " " : ""), $i / 1000 }'; }
stats() { local v; v=$(echo "$*" | ms); echo "p50 $(echo "$v" | pct 50), p99 $(echo "$v" | pct 99), mean $(echo "$v" | tr ' ' '\n' | awk '{ s += $1 } END { printf "%.1f", s / NR }')"; }
echo "per change over $CHANGES after $WARMUP unmeasured (ms; CPU from the process CPU-time clock, less the idle window's):"
echo "  daemon CPU: $(stats "${daemon_us[@]}"); each: $(echo "${daemon_us[*]}" | ms)"
echo "    (gross, the idle window's not subtracted: $(stats "${daemon_gross[@]}"))"
if [ -n "$SERVER_PID" ]; then
  echo "  server CPU: $(stats "${server_us[@]}"); each: $(echo "${server_us[*]}" | ms)"
  echo "    (gross: $(stats "${server_gross[@]}"))"
fi
echo "  rename → the daemon's Applied line (its log's time stamp): $(stats "${wall_us[@]}"); each: $(echo "${wall_us[*]}" | ms)"
echo "  the daemon's collections (gen0/gen1/gen2) before the measured changes $gc_before, after $(gc_counts)"
echo "after the changes: daemon RSS $(rss_mib $DAEMON_PID) MiB, managed heap $(heap_mib) MiB; GC: $(gc_mib $DAEMON_PID)"
grep "Applied config" "$WORK/daemon.log" | tail -1
