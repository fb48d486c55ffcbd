using System.Net;

namespace Kmesh.Sdk.Testing;

/// <summary>An echo backend: a TCP server that sends <paramref name="Name"/> + "\n" to each connection, then echoes.</summary>
/// <param name="Name">What the backend answers with; dial histograms are keyed by it. Unique per sandbox.
/// <c>{local}</c> in it is replaced, per connection, by the address and port the connection reached
/// (e.g. <c>127.17.0.5:9717</c>, <c>[fd00:17::5]:9718</c>): a backend on a wildcard address
/// (<c>0.0.0.0</c>, <c>::</c>) then answers for every address of the namespace, each by its own name.</param>
/// <param name="Address">IPv4 or IPv6 address to listen on, inside the sandbox's namespace (127.x, ::1, or one of <see cref="SandboxOptions.Addresses"/>).</param>
/// <param name="Port">TCP port; 0 picks a free one (the <see cref="EchoBackends"/> returned reports it).</param>
public sealed record BackendSpec(string Name, string Address, int Port)
{
    /// <summary>The address and port as an endpoint.</summary>
    public IPEndPoint EndPoint => new(IPAddress.Parse(Address), Port);
}
