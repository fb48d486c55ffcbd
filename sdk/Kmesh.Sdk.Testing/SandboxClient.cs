using System.Net;

namespace Kmesh.Sdk.Testing;

/// <summary>
/// A client agent process in the sandbox's netns, inside the sandbox's cgroup (so cgroup eBPF
/// hooks apply to its sockets) or outside it (a control). Created by <see cref="KernelSandbox.ClientAsync"/>;
/// the sandbox disposes it, or dispose it earlier yourself.
/// </summary>
public sealed class SandboxClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);
    private readonly AgentProcess _agent;

    internal SandboxClient(AgentProcess agent, bool insideCgroup)
    {
        _agent = agent;
        InsideCgroup = insideCgroup;
    }

    /// <summary>The agent's process id; check /proc/&lt;pid&gt;/cgroup or hand it to a daemon as needed.</summary>
    public int Pid => _agent.Pid;

    /// <summary>Whether the agent runs inside <see cref="KernelSandbox.CgroupPath"/>.</summary>
    public bool InsideCgroup { get; }

    /// <summary>
    /// Makes <paramref name="count"/> sequential TCP connections to <paramref name="address"/>:<paramref name="port"/>;
    /// each reads the backend's name line and closes. Failures are counted, not thrown.
    /// </summary>
    /// <param name="address">IPv4 or IPv6 address, e.g. a service VIP or a backend address.</param>
    /// <param name="port">TCP port.</param>
    /// <param name="count">How many connections to make, one after the other.</param>
    /// <param name="timeout">Per connection, for the connect and again for the name line; default 2 s.</param>
    /// <param name="cancellationToken">Cancels the wait (the agent is then unusable).</param>
    /// <param name="source">A local address to bind before each connect (any port), e.g. one of many
    /// 127.x addresses to look like many clients; null lets the kernel choose.</param>
    public async Task<DialResult> DialAsync(string address, int port, int count = 1, TimeSpan? timeout = null, CancellationToken cancellationToken = default, string? source = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var perConnection = timeout ?? DefaultTimeout;
        var reply = await _agent.SendAsync("dial", w =>
        {
            WriteEndpoint(w, address, port);
            w.WriteNumber("count", count);
            w.WriteNumber("timeoutMs", (int)perConnection.TotalMilliseconds);
            if (source is not null)
                w.WriteString("source", source);
        }, 2 * count * perConnection, cancellationToken).ConfigureAwait(false);
        return DialResult.Parse(reply);
    }

    /// <summary>
    /// Connects once and reports the peer as the client sees it (getpeername) plus the name the
    /// backend sent. Throws <see cref="SandboxAgentException"/> (with <see cref="SandboxAgentException.Errno"/>) if the connect fails.
    /// </summary>
    /// <param name="address">IPv4 or IPv6 address to connect to.</param>
    /// <param name="port">TCP port.</param>
    /// <param name="timeout">For the connect and again for the name line; default 2 s.</param>
    /// <param name="cancellationToken">Cancels the wait (the agent is then unusable).</param>
    public async Task<PeerResult> PeerAsync(string address, int port, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        var reply = await _agent.SendAsync("peer", w =>
        {
            WriteEndpoint(w, address, port);
            w.WriteNumber("timeoutMs", (int)limit.TotalMilliseconds);
        }, 2 * limit, cancellationToken).ConfigureAwait(false);
        return PeerResult.Parse(reply);
    }

    /// <summary>
    /// Opens a connection and keeps it open under <paramref name="id"/> (for tests of connections in
    /// flight while the mesh changes); returns the backend's name. Throws <see cref="SandboxAgentException"/> if the connect fails.
    /// </summary>
    /// <param name="address">IPv4 or IPv6 address to connect to.</param>
    /// <param name="port">TCP port.</param>
    /// <param name="id">Your handle for <see cref="ReleaseAsync"/>; unique per client.</param>
    /// <param name="timeout">For the connect and again for the name line; default 2 s.</param>
    /// <param name="cancellationToken">Cancels the wait (the agent is then unusable).</param>
    public async Task<string> HoldAsync(string address, int port, string id, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        var reply = await _agent.SendAsync("hold", w =>
        {
            WriteEndpoint(w, address, port);
            w.WriteString("id", id);
            w.WriteNumber("timeoutMs", (int)limit.TotalMilliseconds);
        }, 2 * limit, cancellationToken).ConfigureAwait(false);
        return reply.GetProperty("name").GetString()!;
    }

    /// <summary>
    /// getpeername(2) of the held connection <paramref name="id"/>, asked now (not when it was
    /// made): what the application sees of a connection that outlived a change of the hooks.
    /// </summary>
    /// <param name="id">The id given to <see cref="HoldAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the wait (the agent is then unusable).</param>
    public async Task<IPEndPoint> HeldPeerAsync(string id, CancellationToken cancellationToken = default)
    {
        var reply = await _agent.SendAsync("heldpeer", w => w.WriteString("id", id), DefaultTimeout, cancellationToken).ConfigureAwait(false);
        return new IPEndPoint(IPAddress.Parse(reply.GetProperty("remoteAddress").GetString()!), reply.GetProperty("remotePort").GetInt32());
    }

    /// <summary>
    /// Checks that the held connection <paramref name="id"/> still echoes, then closes it. Throws
    /// <see cref="SandboxAgentException"/> when it no longer works (Errno e.g. ECONNRESET, EOF, ETIMEDOUT).
    /// </summary>
    /// <param name="id">The id given to <see cref="HoldAsync"/>.</param>
    /// <param name="timeout">For the echo round trip; default 2 s.</param>
    /// <param name="cancellationToken">Cancels the wait (the agent is then unusable).</param>
    public async Task ReleaseAsync(string id, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        await _agent.SendAsync("release", w =>
        {
            w.WriteString("id", id);
            w.WriteNumber("timeoutMs", (int)limit.TotalMilliseconds);
        }, limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts an echo backend inside this client's process, hence inside its cgroup when the
    /// client is (unlike <see cref="KernelSandbox.StartBackendsAsync"/>, whose backends are outside):
    /// for tests where both ends of a connection must be governed workloads. Returns the bound port.
    /// </summary>
    /// <param name="name">The backend's name (what it greets with); unique per client.</param>
    /// <param name="address">Address to listen on, e.g. <c>127.0.7.1</c> or <c>0.0.0.0</c>.</param>
    /// <param name="port">Port; 0 picks a free one.</param>
    public async Task<int> ListenAsync(string name, string address, int port)
    {
        var reply = await _agent.SendAsync("listen", w =>
        {
            w.WriteString("name", name);
            WriteEndpoint(w, address, port);
        }, DefaultTimeout, CancellationToken.None).ConfigureAwait(false);
        return reply.GetProperty("port").GetInt32();
    }

    /// <summary>
    /// Sends <paramref name="bytes"/> seeded random bytes to an echo backend (random-sized writes of
    /// up to <paramref name="maxWrite"/> bytes, or one sendfile(2) of a file holding them), shuts
    /// the write side, and hashes the echo until EOF: the integrity of the whole data path.
    /// </summary>
    /// <param name="address">Where to connect (a VIP or a backend).</param>
    /// <param name="port">TCP port.</param>
    /// <param name="bytes">How many bytes to send.</param>
    /// <param name="maxWrite">Largest single write (ignored with <paramref name="sendfile"/>).</param>
    /// <param name="seed">Seed of the content and the write sizes.</param>
    /// <param name="sendfile">Send with sendfile(2) from a temporary file instead of writes.</param>
    /// <param name="timeout">For the connect, and for the whole transfer.</param>
    /// <param name="cancellationToken">Cancels the wait (the agent is then unusable).</param>
    /// <param name="vectored">Send with writev(2) of several random-sized pieces per call.</param>
    /// <param name="abandon">Close right after sending, without reading the echo (the peer then
    /// writes to a closed socket while data is queued); the result has no received hash.</param>
    /// <param name="corked">Send each piece with send(2)'s MSG_MORE but the last of a group, as
    /// applications that build a response in parts do.</param>
    public async Task<StreamResult> StreamAsync(string address, int port, long bytes, int maxWrite = 65536, int seed = 1, bool sendfile = false, TimeSpan? timeout = null, CancellationToken cancellationToken = default, bool vectored = false, bool abandon = false, bool corked = false)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(120);
        var reply = await _agent.SendAsync("stream", w =>
        {
            WriteEndpoint(w, address, port);
            w.WriteNumber("bytes", bytes);
            w.WriteNumber("maxWrite", maxWrite);
            w.WriteNumber("seed", seed);
            w.WriteString("mode", sendfile ? "sendfile" : vectored ? "vectored" : corked ? "corked" : "writes");
            w.WriteBoolean("abandon", abandon);
            w.WriteNumber("timeoutMs", (int)limit.TotalMilliseconds);
        }, 2 * limit, cancellationToken).ConfigureAwait(false);
        return StreamResult.Parse(reply);
    }

    /// <summary>The agent's pid, cgroup, netns and held-connection count, as the agent itself sees them.</summary>
    /// <param name="cancellationToken">Cancels the wait (the agent is then unusable).</param>
    public async Task<AgentStats> StatsAsync(CancellationToken cancellationToken = default) =>
        AgentStats.Parse(await _agent.SendAsync("stats", _ => { }, TimeSpan.Zero, cancellationToken).ConfigureAwait(false));

    /// <summary>Kills the agent process (its held connections close with it).</summary>
    public ValueTask DisposeAsync() => _agent.DisposeAsync();

    internal static void WriteEndpoint(System.Text.Json.Utf8JsonWriter w, string address, int port)
    {
        // Parse here so a typo fails in the test with a clear message rather than in the agent.
        var ip = IPAddress.Parse(address);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        w.WriteString("address", ip.ToString());
        w.WriteNumber("port", port);
    }
}
