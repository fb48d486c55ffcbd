using System.Net;
using Kmesh.Sdk.Abi;

namespace Kmesh.Core.Telemetry;

/// <summary>What an access-log record is about.</summary>
public enum AccessLogKind
{
    /// <summary>A connection the chain routed, at its TCP_CLOSE.</summary>
    Closed = 1,

    /// <summary>A connect the chain refused (connect() failed with <see cref="AccessLogRecord.Errno"/>).</summary>
    Refused = 2,
}

/// <summary>One access-log record, decoded. Addresses are as the client saw them; bytes are TCP payload.</summary>
public sealed record AccessLogRecord
{
    /// <summary>A closed connection or a refused connect.</summary>
    public required AccessLogKind Kind { get; init; }

    /// <summary>When the connection was established (closed), or when the connect was refused.</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>From established to TCP_CLOSE; zero for a refusal.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>
    /// The client socket's own address and port (its local end). For a refusal, only when the
    /// application bound the socket before connect(); otherwise null.
    /// </summary>
    public required IPEndPoint? Source { get; init; }

    /// <summary>What the application dialed (the service VIP:port).</summary>
    public required IPEndPoint Dialed { get; init; }

    /// <summary>The endpoint the connection went to; null for a refusal.</summary>
    public required IPEndPoint? Upstream { get; init; }

    /// <summary>The service id (listener routing matched).</summary>
    public required uint ServiceId { get; init; }

    /// <summary>The cluster id (0 when a refusal came before routing chose one).</summary>
    public required uint ClusterId { get; init; }

    /// <summary>The endpoint id; 0 for a refusal.</summary>
    public required uint EndpointId { get; init; }

    /// <summary>Payload the client sent (request bytes, acknowledged by the server).</summary>
    public required ulong BytesSent { get; init; }

    /// <summary>Payload the client received (response bytes).</summary>
    public required ulong BytesReceived { get; init; }

    /// <summary>The kernel's smoothed round-trip time at close; zero for a refusal.</summary>
    public required TimeSpan SmoothedRtt { get; init; }

    /// <summary>Segments retransmitted over the connection's life.</summary>
    public required uint Retransmits { get; init; }

    /// <summary>Why a connect was refused; <see cref="KmReason.None"/> for a closed connection.</summary>
    public required KmReason Reason { get; init; }

    /// <summary>The errno connect() failed with (e.g. 111 ECONNREFUSED); 0 for a closed connection.</summary>
    public required int Errno { get; init; }
}
