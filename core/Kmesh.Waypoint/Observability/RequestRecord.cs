namespace Kmesh.Waypoint.Observability;

/// <summary>What the waypoint learned about one request while handling it: for metrics and the access log.</summary>
internal sealed class RequestRecord
{
    public DateTimeOffset Start { get; init; }

    /// <summary>The matched route's name (or position), null when none matched.</summary>
    public string? Route { get; set; }

    /// <summary>The cluster the request was sent to, null when it was not proxied.</summary>
    public string? Cluster { get; set; }

    /// <summary>The endpoint of the last try (<c>http://IP:PORT</c>).</summary>
    public string? UpstreamHost { get; set; }

    /// <summary>The plugin whose L7 part answered the request itself (a fault's abort, a rate limit), if one did.</summary>
    public string? AnsweredBy { get; set; }

    /// <summary>Tries made (retries + 1); 0 when not proxied.</summary>
    public int Attempts { get; set; }

    /// <summary>Envoy's response flags: <c>NR</c> no route, <c>NC</c> no cluster, <c>UH</c> no healthy upstream, <c>UF</c> connect failure, <c>UT</c> timeout, <c>DC</c> client gone; <c>-</c> for none.</summary>
    public string Flags { get; set; } = "-";
}
