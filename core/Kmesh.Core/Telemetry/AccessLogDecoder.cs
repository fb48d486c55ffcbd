using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using Kmesh.Sdk.Abi;

namespace Kmesh.Core.Telemetry;

/// <summary>
/// Decodes ring-buffer records (<see cref="AccessLogEntry"/>) and turns the kernel's
/// CLOCK_MONOTONIC times into wall-clock times, anchored once when the decoder is made (the
/// same clock .NET's Stopwatch reads on Linux).
/// </summary>
public sealed class AccessLogDecoder
{
    private readonly DateTimeOffset _wallAtZero;

    /// <summary>Anchors monotonic time to the wall clock now.</summary>
    public AccessLogDecoder()
        : this(DateTimeOffset.UtcNow, MonotonicNow())
    {
    }

    /// <summary>Anchors monotonic time <paramref name="monotonicNs"/> at <paramref name="wall"/> (for tests).</summary>
    public AccessLogDecoder(DateTimeOffset wall, ulong monotonicNs) =>
        _wallAtZero = wall - TimeSpan.FromTicks((long)(monotonicNs / 100));

    /// <summary>CLOCK_MONOTONIC now, in ns (what bpf_ktime_get_ns() returns).</summary>
    public static ulong MonotonicNow() => (ulong)((UInt128)(ulong)Stopwatch.GetTimestamp() * 1_000_000_000UL / (ulong)Stopwatch.Frequency);

    /// <summary>The wall-clock time of a monotonic ns value.</summary>
    public DateTimeOffset ToWallClock(ulong monotonicNs) => _wallAtZero + TimeSpan.FromTicks((long)(monotonicNs / 100));

    /// <summary>Decodes one record; null when it is too short or of an unknown kind (a newer kernel object).</summary>
    public AccessLogRecord? Decode(ReadOnlySpan<byte> record)
    {
        if (record.Length < Marshal.SizeOf<AccessLogEntry>())
            return null;
        var e = MemoryMarshal.Read<AccessLogEntry>(record);
        if (e.Kind is not ((uint)AccessLogKind.Closed or (uint)AccessLogKind.Refused))
            return null;
        var refused = e.Kind == (uint)AccessLogKind.Refused;
        return new AccessLogRecord
        {
            Kind = (AccessLogKind)e.Kind,
            Start = ToWallClock(e.StartNs),
            Duration = TimeSpan.FromTicks((long)(e.DurationNs / 100)),
            Source = Endpoint(e.Source),
            Dialed = Endpoint(e.Dialed) ?? new IPEndPoint(IPAddress.Any, 0),
            Upstream = refused ? null : Endpoint(e.Upstream),
            ServiceId = e.ServiceId,
            ClusterId = e.ClusterId,
            EndpointId = e.EndpointId,
            BytesSent = e.BytesSent,
            BytesReceived = e.BytesReceived,
            SmoothedRtt = TimeSpan.FromTicks(e.SrttUs * 10L),
            Retransmits = e.Retransmits,
            Reason = refused ? (KmReason)e.Reason : KmReason.None,
            Errno = refused ? e.Error : 0,
        };
    }

    private static IPEndPoint? Endpoint(KmAddr addr) =>
        addr.Family is KmAddr.AfInet or KmAddr.AfInet6 ? addr.ToIPEndPoint() : null;
}
