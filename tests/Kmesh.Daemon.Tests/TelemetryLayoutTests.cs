using System.Runtime.InteropServices;
using Kmesh.Core.Telemetry;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>The C# mirrors of bpf/telemetry.h hold to the layouts clang produced (the objects' BTF).</summary>
public sealed class TelemetryLayoutTests
{
    [Fact]
    public void TrafficMapKey_MirrorsKmTrafficKey() => MapLayout.AssertMatches<TrafficMapKey>("sockops.bpf.o", "km_traffic_key");

    [Fact]
    public void TrafficMapValue_MirrorsKmTraffic() => MapLayout.AssertMatches<TrafficMapValue>("sockops.bpf.o", "km_traffic");

    [Fact]
    public void ClusterTrafficValue_MirrorsKmClusterTraffic() => MapLayout.AssertMatches<ClusterTrafficValue>("sockops.bpf.o", "km_cluster_traffic");

    [Fact]
    public void LiveConnectionEntry_MirrorsKmLive() => MapLayout.AssertMatches<LiveConnectionEntry>("telemetry.bpf.o", "km_live");

    [Fact]
    public void AccessLogEntry_MirrorsKmLogEntry() => MapLayout.AssertMatches<AccessLogEntry>("telemetry.bpf.o", "km_log_entry");

    [Fact]
    public void OverflowKey_IsTheHeadersConstant()
    {
        var header = File.ReadAllText(Path.Combine(RepoPaths.Root, "bpf", "telemetry.h"));

        Assert.Contains($"#define KM_TRAFFIC_OVERFLOW 0x{TrafficKey.Overflow.ServiceId:x}u", header);
        Assert.Equal(TrafficKey.Overflow.ServiceId, TrafficKey.Overflow.ClusterId);
        Assert.Contains($"#define KM_LOG_CLOSED {(int)AccessLogKind.Closed} ", header);
        Assert.Contains($"#define KM_LOG_REFUSED {(int)AccessLogKind.Refused} ", header);
        Assert.Equal(128, Marshal.SizeOf<AccessLogEntry>());
    }
}
