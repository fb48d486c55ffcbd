using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Kmesh.Waypoint.Hosting.Transport;

/// <summary>
/// Kestrel's transport for the waypoint's ports: TCP sockets whose connections run everything on
/// the thread that completed the socket operation. Kestrel's own socket transport hands the
/// closing of every connection to the thread pool twice (the closed notification, then the end of
/// the receive loop); with a new connection per request those hops cost the thread-pool workers
/// about 5 more context switches per request (bench/results/2026-12-07-wp18.md). Registered
/// after Kestrel's, so Kestrel picks it for IP endpoints (it tries the last-registered factory first).
/// The default; <see cref="WaypointOptions.InlineTransport"/> turns it off.
/// </summary>
internal sealed class InlineTransportFactory(IMemoryPoolFactory<byte>? pools = null) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not IPEndPoint ip)
            throw new NotSupportedException($"the waypoint listens on IP endpoints only, not {endpoint}");
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (ip.Address.Equals(IPAddress.IPv6Any))
            socket.DualMode = true;
        try
        {
            socket.Bind(ip);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            // Kestrel turns this exception into its "address already in use" IOException.
            throw new AddressInUseException(e.Message, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        socket.Listen(512);
        var pool = pools?.Create(new MemoryPoolOptions { Owner = "kmesh-waypoint" }) ?? MemoryPool<byte>.Shared;
        return ValueTask.FromResult<IConnectionListener>(new InlineConnectionListener(socket, pool));
    }
}
