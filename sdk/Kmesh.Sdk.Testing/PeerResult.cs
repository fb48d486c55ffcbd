using System.Net;
using System.Text.Json;

namespace Kmesh.Sdk.Testing;

/// <summary>What a client saw on one connection (<see cref="SandboxClient.PeerAsync"/>).</summary>
public sealed class PeerResult
{
    internal PeerResult(string name, IPEndPoint remote, IPEndPoint local)
    {
        Name = name;
        RemoteEndPoint = remote;
        LocalEndPoint = local;
    }

    /// <summary>The name the backend sent: who really answered.</summary>
    public string Name { get; }

    /// <summary>
    /// The peer as getpeername(2) reports it to the client. A mesh that rewrites connects should
    /// still show the address the application dialled here (e.g. the service VIP).
    /// </summary>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>The client's own address and port (getsockname(2)).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} via {RemoteEndPoint} from {LocalEndPoint}";

    internal static PeerResult Parse(JsonElement reply) => new(
        reply.GetProperty("name").GetString()!,
        new IPEndPoint(IPAddress.Parse(reply.GetProperty("remoteAddress").GetString()!), reply.GetProperty("remotePort").GetInt32()),
        new IPEndPoint(IPAddress.Parse(reply.GetProperty("localAddress").GetString()!), reply.GetProperty("localPort").GetInt32()));
}
