#!/bin/bash
# chain-cost.sh: the whole connect chain's cost per connect at 10 and 10 000 services, for one or
# more builds side by side in one run (issue 17: "before/after in one run").
#   sudo bench/tools/chain-cost.sh [ROUNDS] LABEL=DAEMON_DLL:PLUGIN_DIR[:PLUGINS[:ARGS]] [LABEL=...]
# (PLUGINS: a --plugins list, e.g. routing,loadbalance, to see what a shorter chain costs; empty:
# the default chain. ARGS: more daemon arguments, e.g. "--map-capacity loadbalance.lb_schedule=4096".)
# Per build and scale one daemon (the default chain) on a cgroup of its own, on the bench's
# generated mesh (services of 10 endpoints, bench/Kmesh.Bench/MeshConfig.cs's addresses). Each
# round dials COUNT connects from kmb-connect to random VIPs of every daemon in turn (in a shuffled
# order per round, so drift and neighbours hit all alike), plus the same number straight to endpoints (direct), and
# prints per variant the growth of the cgroup's connect4 entry program's bpf_stats per connect
# (entry + every tail-called plugin + commit) and kmb-connect's connect() latency percentiles.
# kernel.bpf_stats_enabled is restored; netns, cgroups and pins are removed on exit.
# sockops_ns_per_connect: the same for the cgroup's sock_ops entry (the sockops chain runs inside
# connect() for TCP_CONNECT_CB and, on loopback, for the SYN-ACK and the close), per connect.
# PROFILE=1: each round also dials every variant once more under `perf record -g` (not the block
# the bpf_stats are read around) and at the end prints, per variant, how each chain's time splits
# between its programs (bench/tools/chain-split.py): "split variant= program= chain= share= ns=
# leaves=", ns being the share times the variant's median ns per connect of that chain.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${1:-3}; shift
COUNT=${COUNT:-20000}
SCALES=${SCALES:-"10 10000"}
NS=kmb-cc$$; DIR=$(mktemp -d)
LABELS=(); DPIDS=(); CGS=(); PINS=(); PROGS=(); SOPS=()
cleanup() {
  [ -n "${LPID:-}" ] && kill "$LPID" 2>/dev/null
  for p in "${DPIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${DPIDS[@]}"; do wait "$p" 2>/dev/null; done
  sysctl -q kernel.bpf_stats_enabled="${OLDSTATS:-0}"
  ip netns del "$NS" 2>/dev/null
  for c in "${CGS[@]}"; do rmdir "$c" 2>/dev/null; done
  for p in "${PINS[@]}"; do rm -rf "$p"; done
  rm -rf "$DIR"
}
trap cleanup EXIT
clang -O2 -o "$DIR/kmb-connect" "$ROOT/bench/tools/kmb-connect.c" || exit 1
gen() {
  python3 - "$1" <<'PY'
import sys
n = int(sys.argv[1])
vip = lambda s: f"127.20.{s // 250}.{s % 250 + 1}"
ep = lambda k: f"127.{100 + k // 62500}.{k // 250 % 250}.{k % 250 + 1}"
out = ["static_resources:", "  listeners:"]
for s in range(n):
    out.append(f"""  - name: svc-{s}
    address: {{ socket_address: {{ address: {vip(s)}, port_value: 80 }} }}
    filter_chains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: svc-{s}
          cluster: svc-{s}""")
out.append("  clusters:")
for s in range(n):
    out.append(f"""  - name: svc-{s}
    type: STATIC
    lb_policy: ROUND_ROBIN
    load_assignment:
      cluster_name: svc-{s}
      endpoints:
      - lb_endpoints:""")
    for e in range(10):
        out.append(f"        - endpoint: {{ address: {{ socket_address: {{ address: {ep(s * 10 + e)}, port_value: 9000 }} }} }}")
print("\n".join(out))
PY
}
for n in $SCALES; do gen "$n" > "$DIR/mesh-$n.yaml"; done
OLDSTATS=$(sysctl -n kernel.bpf_stats_enabled)
ip netns add "$NS" && ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -q net.ipv4.ip_local_port_range="1024 65535"
ip netns exec "$NS" sysctl -q net.ipv4.tcp_tw_reuse=1
ip netns exec "$NS" "$DIR/kmb-connect" listen 9000 > /dev/null & LPID=$!
i=0
for build in "$@"; do
  label=${build%%=*}; rest=${build#*=}; dll=${rest%%:*}; rest=${rest#*:}; plugins=${rest%%:*}
  chain=(); extra=()
  if [ "$rest" != "$plugins" ]; then
    rest=${rest#*:}; list=${rest%%:*}
    [ -n "$list" ] && chain=(--plugins "$list")
    [ "$rest" != "$list" ] && read -r -a extra <<< "${rest#*:}"
  fi
  for n in $SCALES; do
    cg=/sys/fs/cgroup/unified/kmb-cc$$-$i; pin=/sys/fs/bpf/kmb-cc$$-$i
    mkdir -p "$cg"; CGS+=("$cg"); PINS+=("$pin"); LABELS+=("$label-$n")
    dotnet "$dll" run --plugin-dir "$plugins" --config "$DIR/mesh-$n.yaml" --cgroup "$cg" --bpffs "$pin" --admin none "${chain[@]}" "${extra[@]}" > "$DIR/daemon-$i.log" 2>&1 &
    DPIDS+=($!); i=$((i + 1))
  done
done
for j in "${!LABELS[@]}"; do
  for _ in $(seq 300); do grep -q ready "$DIR/daemon-$j.log" && break; sleep 1; done
  grep -q ready "$DIR/daemon-$j.log" || { echo "daemon ${LABELS[$j]} not ready:"; tail -20 "$DIR/daemon-$j.log"; exit 1; }
  grep -m1 ready "$DIR/daemon-$j.log" | sed "s/^/${LABELS[$j]}: /"
  PROGS+=("$(bpftool -j cgroup show "${CGS[$j]}" | python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin) if p["attach_type"]=="cgroup_inet4_connect"][0])')")
  SOPS+=("$(bpftool -j cgroup show "${CGS[$j]}" | python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin) if "sock_ops" in p["attach_type"]][0])')")
done
stats() { bpftool -j prog show id "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("run_time_ns",0), d.get("run_cnt",0))'; }
# Joined before `ip netns exec`, whose own sysfs would hide the cgroup tree.
dial() { sh -c "echo \$\$ > $1/cgroup.procs; exec ip netns exec $NS $DIR/kmb-connect lat $2 $3 $4 $5"; }
sysctl -q kernel.bpf_stats_enabled=1
V=${#LABELS[@]}
for round in $(seq "$ROUNDS"); do
  # A shuffled order per round (seeded: a rerun dials the same): with a fixed rotation each
  # variant would always follow the same neighbour, whose caches and slabs it inherits.
  for j in $(python3 -c 'import random, sys; o = list(range(int(sys.argv[2]) + 1)); random.Random(int(sys.argv[1])).shuffle(o); print(*o)' "$round" "$V"); do
    if [ "$j" -eq "$V" ]; then
      n=${SCALES##* }
      echo "round=$round variant=direct-$n chain_ns_per_connect=- $(dial /sys/fs/cgroup/unified "ep" "$n" "$COUNT" "$round")"
      continue
    fi
    n=${LABELS[$j]##*-}
    dial "${CGS[$j]}" vip "$n" 2000 7 > /dev/null
    read -r t0 c0 < <(stats "${PROGS[$j]}")
    read -r s0 _ < <(stats "${SOPS[$j]}")
    out=$(dial "${CGS[$j]}" vip "$n" "$COUNT" "$round")
    read -r t1 c1 < <(stats "${PROGS[$j]}")
    # The close's sockops events may trail the last connect by a moment.
    sleep 0.2
    read -r s1 _ < <(stats "${SOPS[$j]}")
    echo "round=$round variant=${LABELS[$j]} chain_ns_per_connect=$(( (t1 - t0) / (c1 - c0) )) sockops_ns_per_connect=$(( (s1 - s0) / (c1 - c0) )) $out" | tee -a "$DIR/rounds"
    [ -n "${PROFILE:-}" ] && sh -c "echo \$\$ > ${CGS[$j]}/cgroup.procs; exec perf record -q -F 20000 -g -o $DIR/perf-$j-$round.data -- ip netns exec $NS $DIR/kmb-connect lat vip $n $COUNT $((round + 100))" > /dev/null 2>&1
  done
done
if [ -n "${PROFILE:-}" ]; then
  for j in "${!LABELS[@]}"; do
    median() { grep " variant=${LABELS[$j]} " "$DIR/rounds" | sed -E "s/.* $1=([0-9]+).*/\\1/" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
    med_connect=$(median chain_ns_per_connect); med_sockops=$(median sockops_ns_per_connect)
    "$ROOT/bench/tools/chain-split.py" "$DIR"/perf-"$j"-*.data | while read -r prog chain n share top; do
      med=$med_connect; [ "$chain" = sockops ] && med=$med_sockops
      echo "split variant=${LABELS[$j]} program=$prog chain=$chain samples=$n share=$share ns=$(python3 -c "print(round($share * $med))") leaves=$top"
    done
  done
fi
