namespace Kmesh.Ctl.Tests;

/// <summary>Documents in the shapes docs/admin-api.md gives, with values a test can look for.</summary>
internal static class ContractDocuments
{
    public const string ReadyStatus = """
        {
          "ready": true,
          "reasons": [],
          "uptime_seconds": 3725.5,
          "cgroup": "/sys/fs/cgroup/unified/kmesh",
          "pin_folder": "/sys/fs/bpf/kmesh/default",
          "source": {
            "kind": "xds",
            "description": "127.0.0.1:18000 (delta)",
            "connected": true,
            "versions": { "clusters": "7", "endpoints": "7", "listeners": "6", "routes": "5" },
            "last_nack": { "type": "clusters", "at": "2026-12-06T09:00:00Z", "detail": "cluster x: lb_policy CLUSTER_PROVIDED is not supported" }
          },
          "config": {
            "version": "7",
            "applied_at": "2026-12-06T09:00:00.123Z",
            "listeners": 3, "clusters": 4, "endpoints": 5, "routes": 1
          },
          "chain": [
            { "name": "routing", "version": "1.1.0", "abi": "1.0", "active": true, "detail": "connect4 slot 0, connect6 slot 0" },
            { "name": "loadbalance", "version": "1.2.0", "abi": "1.1", "active": false, "detail": "translator failed" }
          ]
        }
        """;

    public const string NotReadyStatus = """
        {
          "ready": false,
          "reasons": [ "no config applied yet", "plugin loadbalance does not hold the config" ],
          "uptime_seconds": 2.25,
          "source": { "kind": "file", "description": "/etc/kmesh/mesh.yaml", "connected": null, "versions": {}, "last_nack": null },
          "config": { "version": null, "applied_at": null, "listeners": 0, "clusters": 0, "endpoints": 0, "routes": 0 },
          "chain": []
        }
        """;

    public const string Plugins = """
        [
          {
            "name": "routing", "version": "1.1.0", "abi": "1.0", "state": "active", "reason": null,
            "hooks": [ { "hook": "connect4", "slot": 0 }, { "hook": "connect6", "slot": 0 } ],
            "counters": {}, "maps": [ "rt_services" ]
          },
          {
            "name": "loadbalance", "version": "1.2.0", "abi": "1.1", "state": "isolated",
            "reason": "translator threw: cluster reviews: no endpoints",
            "hooks": [ { "hook": "connect4", "slot": 1 }, { "hook": "sockops", "slot": 0 } ],
            "counters": { "connections": 12, "ejections": 18446744073709551615 },
            "maps": [ "lb_clusters", "lb_schedule" ]
          },
          {
            "name": "faultinject", "version": "1.0.0", "abi": "1.0", "state": "left_out",
            "reason": "ABI 2.0 is newer than the core's 1.1", "hooks": [], "counters": {}, "maps": []
          }
        ]
        """;

    public const string LoadBalanceMaps = """
        [
          { "name": "lb_schedule", "type": "hash", "key_size": 8, "value_size": 24, "max_entries": 262144, "entries": 131072 },
          { "name": "lb_clusters", "type": "percpu_array", "key_size": 4, "value_size": 16, "max_entries": 1024, "entries": 3 }
        ]
        """;

    public const string ScheduleEntries = """
        {
          "plugin": "loadbalance", "map": "lb_schedule", "type": "hash",
          "key_size": 8, "value_size": 24, "max_entries": 262144, "entries": 120, "truncated": true,
          "items": [
            { "key": { "cluster_id": 3, "slot": 0 }, "value": { "addr": [33554559, 0, 0, 0], "port": 36895, "family": 2 } },
            { "key": { "cluster_id": 3, "slot": 1 }, "value": { "addr": [50331775, 0, 0, 0], "port": 36895, "family": 2 } },
            { "key": "0a0b0c0d", "value": [ { "hits": 1 }, { "hits": 2 } ] }
          ]
        }
        """;

    public const string Metrics = """
        # HELP istio_tcp_connections_opened_total Connections opened.
        # TYPE istio_tcp_connections_opened_total counter
        istio_tcp_connections_opened_total{reporter="source",destination_service="reviews.default.svc.cluster.local"} 12
        istio_tcp_connections_opened_total{reporter="source",destination_service="ratings.default.svc.cluster.local"} 3
        # HELP kmesh_ready Whether the node is ready.
        # TYPE kmesh_ready gauge
        kmesh_ready 1

        """;

    public const string ClosedConnection = """{"event":"closed","start_time":"2026-12-06T09:00:00.123456Z","duration_ms":12.5,"source":"10.0.0.5:41234","dialed":"10.96.0.10:9080","upstream":"10.244.1.7:9080","destination_service":"reviews.default.svc.cluster.local","cluster":"outbound|9080||reviews.default.svc.cluster.local","bytes_sent":120,"bytes_received":4096,"srtt_us":45,"retransmits":0}""";

    public const string RefusedConnection = """{"event":"refused","start_time":"2026-12-06T09:00:00.200000Z","dialed":"10.96.0.10:9080","destination_service":"reviews.default.svc.cluster.local","cluster":"outbound|9080||reviews.default.svc.cluster.local","reason":"rate_limited","errno":"ENOBUFS"}""";
}
