using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kmesh.Sdk.Testing.Agent;

/// <summary>A client connection to an echo backend: connected, greeted, and ready to echo.</summary>
internal sealed class Connection : IDisposable
{
    private readonly NetworkStream _stream;

    private Connection(Socket socket, string backendName)
    {
        Socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        BackendName = backendName;
    }

    public Socket Socket { get; }

    /// <summary>The name line the backend sent on accept.</summary>
    public string BackendName { get; private set; }

    /// <summary>Connects and reads the backend's name line, both within <paramref name="timeout"/>.</summary>
    public static async Task<Connection> OpenAsync(IPEndPoint remote, TimeSpan timeout, IPAddress? source = null)
    {
        // connect() blocks in poll(); keep it off the thread that reads commands.
        var socket = await Task.Run(() => NativeConnect.Connect(remote, timeout, source));
        var connection = new Connection(socket, "");
        try
        {
            connection.BackendName = await connection.ReadLineAsync(timeout)
                ?? throw new ConnectFailedException("EOF", $"{remote} closed the connection before sending a name");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Sends a probe and checks it comes back unchanged, i.e. the connection still works.</summary>
    public async Task EchoAsync(string probe, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(probe + "\n"), cts.Token);
        }
        catch (IOException e) when (e.InnerException is SocketException se)
        {
            throw new ConnectFailedException(Errno.Name(se), $"echo write failed: {se.Message}");
        }
        string? echoed = await ReadLineAsync(timeout);
        if (echoed != probe)
        {
            throw new ConnectFailedException(echoed is null ? "EOF" : "EBADMSG", $"echo returned '{echoed}' instead of '{probe}'");
        }
    }

    /// <summary>Reads one '\n'-terminated line; null on EOF.</summary>
    private async Task<string?> ReadLineAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var line = new List<byte>(32);
        var one = new byte[1];
        try
        {
            while (true)
            {
                // One byte at a time: the line is short, and nothing past it may be consumed.
                int n = await _stream.ReadAsync(one, cts.Token);
                if (n == 0)
                {
                    return line.Count == 0 ? null : Encoding.UTF8.GetString(line.ToArray());
                }
                if (one[0] == (byte)'\n')
                {
                    return Encoding.UTF8.GetString(line.ToArray());
                }
                line.Add(one[0]);
            }
        }
        catch (OperationCanceledException)
        {
            throw new ConnectFailedException("ETIMEDOUT", "no line from the backend within the timeout");
        }
        catch (IOException e) when (e.InnerException is SocketException se)
        {
            throw new ConnectFailedException(Errno.Name(se), $"read failed: {se.Message}");
        }
    }

    public void Dispose() => _stream.Dispose();
}
