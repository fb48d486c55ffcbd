using System.Net;
using System.Net.Sockets;

namespace Kmesh.Sdk.Testing.Agent;

/// <summary>
/// A listening socket that never accepts, with an accept queue of one (backlog 0): the first
/// connect to it completes the handshake and waits in the queue for ever; the kernel drops every
/// later SYN while the queue is full, so those connects stay in handshake (SYN_SENT) until they
/// time out. A deterministic "upstream that does not answer" on loopback.
/// </summary>
internal sealed class StalledListener : IDisposable
{
    private readonly Socket _socket;

    public StalledListener(IPEndPoint endpoint)
    {
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _socket.Bind(endpoint);
            _socket.Listen(0);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
    }

    /// <summary>The bound port (differs from the requested one when that was 0).</summary>
    public int Port { get; }

    public void Dispose() => _socket.Dispose();
}
