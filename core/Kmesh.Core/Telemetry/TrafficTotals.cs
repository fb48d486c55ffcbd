using System.Runtime.InteropServices;
using Kmesh.Sdk.Abi;

namespace Kmesh.Core.Telemetry;

/// <summary>
/// Turns one read of the kernel (per-CPU counters of km_cluster_traffic and km_traffic, then the km_conn iterator's
/// records of open connections) into per-service totals, and keeps them monotonic across reads.
/// </summary>
/// <remarks>
/// The map is read before the iterator. A connection that closes in between is in neither
/// (its close was not in the map yet; the iterator skips it as closed), so a read can come out
/// lower than the one before by that connection's bytes, never higher than the truth: each
/// number is therefore reported as the largest seen so far, which the next read confirms.
/// Reading in the other order would count such a connection twice instead.
/// Not thread-safe: <see cref="KernelTelemetry"/> serializes reads.
/// </remarks>
internal sealed class TrafficTotals
{
    private readonly Dictionary<TrafficKey, Sum> _current = new();
    private readonly Dictionary<TrafficKey, Sum> _reported = new();

    /// <summary>Starts a new read.</summary>
    public void Begin() => _current.Clear();

    /// <summary>Adds the per-CPU values of one key of km_traffic.</summary>
    public void AddKernel(TrafficKey key, ReadOnlySpan<TrafficMapValue> perCpu)
    {
        ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(_current, key, out _);
        sum ??= new Sum();
        foreach (ref readonly var cpu in perCpu)
        {
            sum.Opened += cpu.Closed; // counted at close only: closed ones are opened ones (bpf/telemetry.h)
            sum.Closed += cpu.Closed;
            sum.RequestBytes += cpu.RequestBytes;
            sum.ResponseBytes += cpu.ResponseBytes;
            for (int r = 0; r < TrafficMapValue.Reasons; r++)
                sum.Denied[r] += cpu.Denied[r];
        }
    }

    /// <summary>
    /// Adds one cluster's slot of km_cluster_traffic: each CPU's copy counts for the service that
    /// claimed it on that CPU (unclaimed copies hold nothing), so it joins that (service, cluster).
    /// </summary>
    public void AddCluster(uint clusterId, ReadOnlySpan<ClusterTrafficValue> perCpu)
    {
        foreach (ref readonly var cpu in perCpu)
        {
            if (cpu.ServiceId == 0)
                continue;
            ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(_current, new TrafficKey((uint)cpu.ServiceId, clusterId), out _);
            sum ??= new Sum();
            sum.Opened += cpu.Closed; // counted at close only: closed ones are opened ones (bpf/telemetry.h)
            sum.Closed += cpu.Closed;
            sum.RequestBytes += cpu.RequestBytes;
            sum.ResponseBytes += cpu.ResponseBytes;
        }
    }

    /// <summary>Adds the km_conn iterator's output: <see cref="LiveConnectionEntry"/> records back to back, each an open connection (opened, not closed).</summary>
    public void AddLive(ReadOnlySpan<byte> iteratorOutput)
    {
        var entries = MemoryMarshal.Cast<byte, LiveConnectionEntry>(iteratorOutput[..(iteratorOutput.Length / Marshal.SizeOf<LiveConnectionEntry>() * Marshal.SizeOf<LiveConnectionEntry>())]);
        foreach (ref readonly var live in entries)
        {
            ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(_current, new TrafficKey(live.ServiceId, live.ClusterId), out _);
            sum ??= new Sum();
            // Each record is one open connection: the kernel counts a connection only when it closes.
            sum.Opened++;
            sum.RequestBytes += live.RequestBytes;
            sum.ResponseBytes += live.ResponseBytes;
        }
    }

    /// <summary>The totals of this read, each no lower than reported before; the overflow apart.</summary>
    public (Dictionary<TrafficKey, TrafficCounters> Services, TrafficCounters Overflow) Finish()
    {
        var services = new Dictionary<TrafficKey, TrafficCounters>(_current.Count);
        TrafficCounters overflow = new();
        foreach (var (key, sum) in _current)
        {
            ref var reported = ref CollectionsMarshal.GetValueRefOrAddDefault(_reported, key, out _);
            reported ??= new Sum();
            reported.RaiseTo(sum);
            var counters = reported.ToCounters();
            if (key.IsOverflow)
                overflow = counters;
            else
                services[key] = counters;
        }
        return (services, overflow);
    }

    private sealed class Sum
    {
        public ulong Opened, Closed, RequestBytes, ResponseBytes;
        public readonly ulong[] Denied = new ulong[TrafficMapValue.Reasons];

        public void RaiseTo(Sum now)
        {
            Opened = Math.Max(Opened, now.Opened);
            Closed = Math.Max(Closed, now.Closed);
            RequestBytes = Math.Max(RequestBytes, now.RequestBytes);
            ResponseBytes = Math.Max(ResponseBytes, now.ResponseBytes);
            for (int r = 0; r < Denied.Length; r++)
                Denied[r] = Math.Max(Denied[r], now.Denied[r]);
        }

        public TrafficCounters ToCounters()
        {
            var denied = new Dictionary<KmReason, ulong>();
            for (int r = 0; r < Denied.Length; r++)
            {
                if (Denied[r] != 0)
                    denied[(KmReason)r] = Denied[r];
            }
            return new TrafficCounters { Opened = Opened, Closed = Closed, RequestBytes = RequestBytes, ResponseBytes = ResponseBytes, Denied = denied };
        }
    }
}
