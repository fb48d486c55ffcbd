using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;

namespace Kmesh.Waypoint.Hosting.Http1;

/// <summary>
/// Where the waypoint's own HTTP/1.1 server hands the connections it does not serve (HTTP/2 with
/// prior knowledge, upgrade requests) to the port's Kestrel: Kestrel "listens" on a
/// <see cref="Http1HandoffEndPoint"/>, and its accept loop takes them from here.
/// </summary>
internal sealed class Http1Handoff : IConnectionListener
{
    private readonly Channel<ConnectionContext> _connections = Channel.CreateUnbounded<ConnectionContext>(new UnboundedChannelOptions { SingleReader = true });

    public Http1Handoff(int port) => EndPoint = new Http1HandoffEndPoint(port);

    public EndPoint EndPoint { get; }

    public void Hand(ConnectionContext connection)
    {
        if (!_connections.Writer.TryWrite(connection))
            connection.Abort(new ConnectionAbortedException("the waypoint is stopping"));
    }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _connections.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _connections.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _connections.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The endpoint Kestrel binds for a port's handed-over connections: no socket of its own.</summary>
internal sealed class Http1HandoffEndPoint(int port) : EndPoint
{
    public int Port { get; } = port;

    public override string ToString() => $"waypoint-handoff:{Port}";
}

/// <summary>Kestrel's transport for <see cref="Http1HandoffEndPoint"/>: the port's <see cref="Http1Handoff"/>.</summary>
internal sealed class Http1HandoffTransportFactory(Http1Handoff handoff) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is Http1HandoffEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IConnectionListener>(handoff);
}
