# Writes an Envoy bootstrap of N services x 10 endpoints (the layout of bench/Kmesh.Bench/MeshConfig.cs); the first endpoint gets PORT.
# Usage: python3 gen.py N [PORT] > FILE
import sys
n=int(sys.argv[1]); port=int(sys.argv[2]) if len(sys.argv)>2 else 9000
out=["static_resources:\n  listeners:\n"]
def vip(s): return f"127.20.{s//250}.{s%250+1}"
def ep(k): return f"127.{100+k//62500}.{k//250%250}.{k%250+1}"
for s in range(n):
    out.append(f"  - name: svc-{s}\n    address: {{ socket_address: {{ address: {vip(s)}, port_value: 80 }} }}\n    filter_chains:\n    - filters:\n      - name: envoy.filters.network.tcp_proxy\n        typed_config:\n          \"@type\": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy\n          stat_prefix: svc-{s}\n          cluster: svc-{s}\n")
out.append("  clusters:\n")
for s in range(n):
    out.append(f"  - name: svc-{s}\n    type: STATIC\n    lb_policy: ROUND_ROBIN\n    load_assignment:\n      cluster_name: svc-{s}\n      endpoints:\n      - lb_endpoints:\n")
    for e in range(10):
        p = port if (s==0 and e==0) else 9000
        out.append(f"        - endpoint: {{ address: {{ socket_address: {{ address: {ep(s*10+e)}, port_value: {p} }} }} }}\n")
sys.stdout.write("".join(out))
