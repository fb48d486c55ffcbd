using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using Kmesh.Core.Telemetry;
using Kmesh.Sdk.Abi;

namespace Kmesh.Core.Tests.Telemetry;

/// <summary>Decoding of ring-buffer records, built byte by byte as the kernel lays them out (bpf/telemetry.h).</summary>
public sealed class AccessLogDecoderTests
{
    private static readonly DateTimeOffset Anchor = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private const ulong AnchorNs = 1_000_000_000_000;

    private static byte[] Record(uint kind, ulong startNs, ulong durationNs, ulong sent, ulong received, uint reason = 0, int error = 0)
    {
        var b = new byte[128];
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(0), startNs);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), durationNs);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16), sent);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(24), received);
        Addr(b.AsSpan(32), [10, 1, 2, 3], 40000, 2);                 // source
        Addr(b.AsSpan(52), [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9], 9080, 10); // dialed, IPv6
        Addr(b.AsSpan(72), [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42], 8080, 10);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(92), 7);   // service
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(96), 8);   // cluster
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(100), 9);  // endpoint
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(104), 1250); // srtt µs
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(108), 3);  // retransmits
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(112), kind);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(116), reason);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(120), error);
        return b;
    }

    private static void Addr(Span<byte> at, byte[] address, ushort port, ushort family)
    {
        address.CopyTo(at);
        BinaryPrimitives.WriteUInt16BigEndian(at[16..], port);
        BinaryPrimitives.WriteUInt16LittleEndian(at[18..], family);
    }

    [Fact]
    public void AClosedConnection_DecodesEveryField_WithWallClockTimes()
    {
        var decoder = new AccessLogDecoder(Anchor, AnchorNs);

        var r = decoder.Decode(Record(1, AnchorNs + 2_500_000_000, 1_234_567_800, 100, 2000))!;

        Assert.Equal(AccessLogKind.Closed, r.Kind);
        Assert.Equal(Anchor + TimeSpan.FromSeconds(2.5), r.Start);
        Assert.Equal(TimeSpan.FromTicks(12_345_678), r.Duration);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.1.2.3"), 40000), r.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::9"), 9080), r.Dialed);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::42"), 8080), r.Upstream);
        Assert.Equal((7u, 8u, 9u), (r.ServiceId, r.ClusterId, r.EndpointId));
        Assert.Equal((100UL, 2000UL), (r.BytesSent, r.BytesReceived));
        Assert.Equal(TimeSpan.FromMicroseconds(1250), r.SmoothedRtt);
        Assert.Equal(3u, r.Retransmits);
        Assert.Equal((KmReason.None, 0), (r.Reason, r.Errno));
    }

    [Fact]
    public void ARefusal_HasItsReasonAndErrno_AndNoUpstream()
    {
        var r = new AccessLogDecoder(Anchor, AnchorNs).Decode(Record(2, AnchorNs, 0, 0, 0, (uint)KmReason.RateLimited, KmErrno.RateLimited))!;

        Assert.Equal(AccessLogKind.Refused, r.Kind);
        Assert.Equal(Anchor, r.Start);
        Assert.Equal((KmReason.RateLimited, 105), (r.Reason, r.Errno));
        Assert.Null(r.Upstream);
    }

    [Fact]
    public void AnUnsetAddress_IsNull()
    {
        var bytes = Record(2, AnchorNs, 0, 0, 0);
        bytes.AsSpan(32, 20).Clear();

        Assert.Null(new AccessLogDecoder(Anchor, AnchorNs).Decode(bytes)!.Source);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(3u)]
    public void AnUnknownKind_OrAShortRecord_IsNotDecoded(uint kind)
    {
        var decoder = new AccessLogDecoder(Anchor, AnchorNs);

        Assert.Null(decoder.Decode(Record(kind, 1, 1, 1, 1)));
        Assert.Null(decoder.Decode(Record(1, 1, 1, 1, 1).AsSpan(0, 127)));
    }

    [Fact]
    public void TheMirror_Is128Bytes() => Assert.Equal(128, Marshal.SizeOf<AccessLogEntry>());
}
