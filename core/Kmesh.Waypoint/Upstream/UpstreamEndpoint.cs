namespace Kmesh.Waypoint.Upstream;

/// <summary>One endpoint of a cluster: where to send, its weight, and its requests in flight (least request).</summary>
internal sealed class UpstreamEndpoint(string host, int port, uint weight)
{
    public string Host { get; } = host;
    public int Port { get; } = port;
    public uint Weight { get; } = weight;

    /// <summary><c>http://HOST:PORT</c>, IPv6 in brackets: YARP's destination prefix.</summary>
    public string Prefix { get; } = host.Contains(':', StringComparison.Ordinal) ? $"http://[{host}]:{port}" : $"http://{host}:{port}";

    private int _active;

    /// <summary>Requests sent and not yet answered.</summary>
    public int Active => Volatile.Read(ref _active);

    public void Started() => Interlocked.Increment(ref _active);

    public void Finished() => Interlocked.Decrement(ref _active);

    public override string ToString() => Prefix;
}
