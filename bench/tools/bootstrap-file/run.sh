#!/bin/bash
# A one-endpoint edit of an Envoy bootstrap file at 10 000 services (issue 16; bench/results/2026-12-07-bootstrap-items.md).
# Usage (root, from the repository): DIR=/tmp/bs bench/tools/bootstrap-file/run.sh DLL LABEL
#   DIR must hold a.yaml and b.yaml: python3 bench/tools/bootstrap-file/gen.py 10000 9000 > $DIR/a.yaml; ... 10000 9001 > $DIR/b.yaml
#   (they differ in one endpoint's port). Starts the daemon (DLL) with --config on a cgroup of its own,
#   waits for its first ready, renames b, a, b into place and prints rename -> "Applied config" for each.
dll=$1 label=$2
DIR=${DIR:?set DIR}
W=$DIR/w-$label; rm -rf $W; mkdir -p $W; cp $DIR/a.yaml $W/mesh.yaml
CG=/sys/fs/cgroup/unified/kmbs-$label; PINS=/sys/fs/bpf/kmbs-$label; mkdir -p $CG
dotnet $dll run --config $W/mesh.yaml --cgroup $CG --bpffs $PINS --plugin-dir "${PLUGIN_DIR:-artifacts/bench/plugins}" --admin 127.0.0.1:0 > $W/daemon.log 2>&1 &
pid=$!
for i in $(seq 1 600); do grep -q "first ready" $W/daemon.log && break; sleep 0.2; done
sleep 2
for f in b a b; do
  cp $DIR/$f.yaml $W/mesh.tmp; n=$(grep -c "Applied config" $W/daemon.log); t0=$(date +%s%N); mv $W/mesh.tmp $W/mesh.yaml
  for i in $(seq 1 3000); do [ $(grep -c "Applied config" $W/daemon.log) -gt $n ] && break; sleep 0.005; done
  t1=$(date +%s%N); echo "$label: rename -> Applied $(( (t1-t0)/1000000 )) ms"; sleep 1
done
grep -E "first ready|read:|read whole" $W/daemon.log | cut -c1-160 | tail -4
kill -TERM $pid; wait $pid 2>/dev/null; rmdir $CG 2>/dev/null; rm -rf $PINS
