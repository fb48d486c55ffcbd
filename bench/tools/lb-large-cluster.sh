#!/bin/bash
# lb-large-cluster.sh: what a 10 000-endpoint cluster costs a connect (issue 17), against a
# 10-endpoint one. One daemon (Debug build, the default chain) on a cgroup of its own; the
# config is rewritten live between variants (a 10-endpoint schedule; 10 000 endpoints equal
# (alias table, no aliases) or weighted 1..4 (alias table with cuts) under ROUND_ROBIN, RANDOM
# and LEAST_REQUEST); per variant 20 000 connects from kmb-connect to the one VIP, and the
# growth of km_entry4's bpf_stats (entry + every plugin + commit: tail calls have no stats of
# their own). kernel.bpf_stats_enabled is restored; netns, cgroup and pins are removed on exit.
#   sudo bench/tools/lb-large-cluster.sh [ROUNDS]
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${1:-5}
NS=kmb-lb$$; CG=/sys/fs/cgroup/unified/kmb-lb$$; PIN=/sys/fs/bpf/kmb-lb$$; DIR=$(mktemp -d)
DLL=$ROOT/core/Kmesh.Daemon/bin/Debug/net10.0/kmesh.dll
cleanup() {
  [ -n "${LPID:-}" ] && kill "$LPID" 2>/dev/null
  [ -n "${DPID:-}" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
  sysctl -q kernel.bpf_stats_enabled="${OLDSTATS:-0}"
  ip netns del "$NS" 2>/dev/null; rmdir "$CG" 2>/dev/null; rm -rf "$PIN" "$DIR"
}
trap cleanup EXIT
clang -O2 -o "$DIR/kmb-connect" "$ROOT/bench/tools/kmb-connect.c" || exit 1
# Endpoint k is kmb-connect's ep(k): 127.(100+k/62500).(k/250%250).(k%250+1):9000.
gen() {
  python3 - "$@" <<'PY'
import sys
policy, n, weighted = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "w"
ep = lambda k: f"127.{100 + k // 62500}.{k // 250 % 250}.{k % 250 + 1}"
print("""static_resources:
  listeners:
  - name: s0
    address: { socket_address: { address: "127.20.0.1", port_value: 80 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: s0
          cluster: s0
  clusters:
  - name: s0
    type: STATIC
    lb_policy: %s
    load_assignment:
      cluster_name: s0
      endpoints:
      - lb_endpoints:""" % policy)
for k in range(n):
    w = f", load_balancing_weight: {1 + k % 4}" if weighted else ""
    print(f'        - {{ endpoint: {{ address: {{ socket_address: {{ address: "{ep(k)}", port_value: 9000 }} }} }}{w} }}')
PY
}
VARIANTS="ROUND_ROBIN-10-e RANDOM-10-e LEAST_REQUEST-10-e ROUND_ROBIN-10000-e ROUND_ROBIN-10000-w RANDOM-10000-w LEAST_REQUEST-10000-w"
for v in $VARIANTS; do gen ${v//-/ } > "$DIR/cfg-$v.yaml"; done
OLDSTATS=$(sysctl -n kernel.bpf_stats_enabled)
ip netns add "$NS" && ip -n "$NS" link set lo up
mkdir -p "$CG"
ip netns exec "$NS" "$DIR/kmb-connect" listen 9000 > /dev/null & LPID=$!
cp "$DIR/cfg-ROUND_ROBIN-10-e.yaml" "$DIR/config.yaml"
dotnet "$DLL" run --plugin-dir "$ROOT/artifacts/plugins" --config "$DIR/config.yaml" --cgroup "$CG" --bpffs "$PIN" --admin none > "$DIR/daemon.log" 2>&1 & DPID=$!
for _ in $(seq 60); do grep -q ready "$DIR/daemon.log" && break; sleep 1; done
PROG=$(bpftool -j cgroup show "$CG" | python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin) if p["attach_type"]=="cgroup_inet4_connect"][0])')
stats() { bpftool -j prog show id "$PROG" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("run_time_ns",0), d.get("run_cnt",0))'; }
# Joined before `ip netns exec`, whose own sysfs would hide the cgroup tree.
dial() { sh -c "echo \$\$ > $CG/cgroup.procs; exec ip netns exec $NS $DIR/kmb-connect lat vip 1 $1 $2"; }
sysctl -q kernel.bpf_stats_enabled=1
for round in $(seq "$ROUNDS"); do
  for v in $VARIANTS; do
    applied=$(grep -c Applied "$DIR/daemon.log")
    cp "$DIR/cfg-$v.yaml" "$DIR/config.tmp" && mv "$DIR/config.tmp" "$DIR/config.yaml"
    for _ in $(seq 100); do [ "$(grep -c Applied "$DIR/daemon.log")" -gt "$applied" ] && break; sleep 0.2; done
    dial 2000 1 > /dev/null
    read -r t0 c0 < <(stats)
    out=$(dial 20000 "$round")
    read -r t1 c1 < <(stats)
    echo "round=$round variant=$v chain_ns_per_connect=$(( (t1 - t0) / (c1 - c0) )) $out"
  done
done
