using System.Net;

namespace Kmesh.Sdk.Testing;

/// <summary>An echo backend: a TCP server that sends <paramref name="Name"/> + "\n" to each connection, then echoes.</summary>
/// <param name="Name">What the backend answers with; dial histograms are keyed by it. Unique per sandbox.</param>
/// <param name="Address">IPv4 or IPv6 address to listen on, inside the sandbox's namespace (127.x, ::1, or one of <see cref="SandboxOptions.Addresses"/>).</param>
/// <param name="Port">TCP port; 0 picks a free one (the <see cref="EchoBackends"/> returned reports it).</param>
public sealed record BackendSpec(string Name, string Address, int Port)
{
    /// <summary>The address and port as an endpoint.</summary>
    public IPEndPoint EndPoint => new(IPAddress.Parse(Address), Port);
}
