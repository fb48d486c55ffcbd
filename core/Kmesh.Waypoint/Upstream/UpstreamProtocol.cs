namespace Kmesh.Waypoint.Upstream;

/// <summary>Which HTTP version the waypoint speaks to a cluster's endpoints (cleartext).</summary>
internal enum UpstreamProtocol
{
    /// <summary>HTTP/1.1: Envoy's default for a cluster.</summary>
    Http1,

    /// <summary>HTTP/2 with prior knowledge (h2c): <c>http2_protocol_options</c>, e.g. gRPC.</summary>
    Http2,

    /// <summary>The version the client used: <c>use_downstream_protocol_config</c>.</summary>
    Downstream,
}
