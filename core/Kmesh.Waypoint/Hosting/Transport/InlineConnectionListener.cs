using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Kmesh.Waypoint.Hosting.Transport;

/// <summary>One listening socket; each accepted connection is started before Kestrel sees it.</summary>
internal sealed class InlineConnectionListener(Socket socket, MemoryPool<byte> pool) : IConnectionListener
{
    public EndPoint EndPoint { get; } = socket.LocalEndPoint!;

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await socket.AcceptAsync(cancellationToken);
            }
            catch (ObjectDisposedException)
            {
                return null; // unbound: Kestrel stops accepting
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                return null;
            }
            catch (SocketException)
            {
                continue; // a connection reset before it was accepted; the listener is fine
            }
            // Responses are written whole; waiting for more bytes only delays them.
            accepted.NoDelay = true;
            var connection = new InlineConnection(accepted, pool);
            connection.Start();
            return connection;
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        socket.Dispose();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        socket.Dispose();
        pool.Dispose();
        return ValueTask.CompletedTask;
    }
}
