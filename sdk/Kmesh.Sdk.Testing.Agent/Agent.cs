using System.Net;
using System.Text.Json;

namespace Kmesh.Sdk.Testing.Agent;

/// <summary>
/// Runs the commands. Every request is one JSON object with a "cmd" member; every reply has
/// "ok" and, when false, "error" and possibly "errno".
/// <list type="bullet">
/// <item>listen {name, address, port} → {port}: start an echo backend (see <see cref="EchoListener"/>).</item>
/// <item>stall {name, address, port} → {port}: start a listener that never accepts (see <see cref="StalledListener"/>).</item>
/// <item>unlisten {name}: stop that backend or stalled listener.</item>
/// <item>dial {address, port, count, timeoutMs, source?} → {histogram: {name: n}, errors: {errno: n}}: sequential connects.</item>
/// <item>peer {address, port, timeoutMs} → {name, remoteAddress, remotePort, localAddress, localPort}: getpeername view.</item>
/// <item>hold {address, port, id, timeoutMs} → {name}; release {id, timeoutMs}: a connection kept open in between.</item>
/// <item>stream {address, port, bytes, maxWrite, seed, mode (writes|vectored|sendfile), abandon, timeoutMs, source?} → {name, sentSha256, receivedSha256, received}: integrity through an echo backend.</item>
/// <item>stats → {pid, cgroup, netns, held, accepted: {name: n}}; quit.</item>
/// </list>
/// </summary>
internal sealed class Agent : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, EchoListener> _listeners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StalledListener> _stalled = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Connection> _held = new(StringComparer.Ordinal);

    /// <summary>Runs one command line; returns the reply and whether the agent should exit.</summary>
    public async Task<(byte[] Reply, bool Quit)> HandleAsync(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var request = doc.RootElement;
            string cmd = Text(request, "cmd");
            return cmd switch
            {
                "listen" => (Listen(request), false),
                "stall" => (Stall(request), false),
                "unlisten" => (await UnlistenAsync(request), false),
                "dial" => (await DialAsync(request), false),
                "peer" => (await PeerAsync(request), false),
                "hold" => (await HoldAsync(request), false),
                "release" => (await ReleaseAsync(request), false),
                "heldpeer" => (HeldPeer(request), false),
                "stream" => (await StreamAsync(request), false),
                "stats" => (Stats(), false),
                "quit" => (Reply.Ok(), true),
                _ => (Reply.Error($"unknown command '{cmd}'"), false),
            };
        }
        catch (ConnectFailedException e)
        {
            return (Reply.Error(e.Message, e.Errno), false);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            return (Reply.Error(e.Message, Errno.Name(e)), false);
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            return (Reply.Error($"bad request: {e.Message}"), false);
        }
    }

    private byte[] Listen(JsonElement request)
    {
        string name = Text(request, "name");
        if (_listeners.ContainsKey(name) || _stalled.ContainsKey(name))
        {
            return Reply.Error($"a backend named '{name}' already listens");
        }
        var listener = new EchoListener(name, Endpoint(request));
        _listeners.Add(name, listener);
        return Reply.Ok(w => w.WriteNumber("port", listener.Port));
    }

    private byte[] Stall(JsonElement request)
    {
        string name = Text(request, "name");
        if (_listeners.ContainsKey(name) || _stalled.ContainsKey(name))
        {
            return Reply.Error($"a backend named '{name}' already listens");
        }
        var listener = new StalledListener(Endpoint(request));
        _stalled.Add(name, listener);
        return Reply.Ok(w => w.WriteNumber("port", listener.Port));
    }

    private async Task<byte[]> UnlistenAsync(JsonElement request)
    {
        string name = Text(request, "name");
        if (_stalled.Remove(name, out var stalled))
        {
            stalled.Dispose();
            return Reply.Ok();
        }
        if (!_listeners.Remove(name, out var listener))
        {
            return Reply.Error($"no backend named '{name}'");
        }
        await listener.DisposeAsync();
        return Reply.Ok();
    }

    private static async Task<byte[]> DialAsync(JsonElement request)
    {
        var remote = Endpoint(request);
        int count = request.TryGetProperty("count", out var c) ? c.GetInt32() : 1;
        var timeout = Timeout(request);
        var source = request.TryGetProperty("source", out var s) ? IPAddress.Parse(s.GetString()!) : null;
        var histogram = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var errors = new SortedDictionary<string, int>(StringComparer.Ordinal);

        for (int i = 0; i < count; i++)
        {
            try
            {
                using var connection = await Connection.OpenAsync(remote, timeout, source);
                histogram[connection.BackendName] = histogram.GetValueOrDefault(connection.BackendName) + 1;
            }
            catch (ConnectFailedException e)
            {
                errors[e.Errno] = errors.GetValueOrDefault(e.Errno) + 1;
            }
        }

        return Reply.Ok(w =>
        {
            Reply.WriteCounts(w, "histogram", histogram);
            Reply.WriteCounts(w, "errors", errors);
        });
    }

    private static async Task<byte[]> PeerAsync(JsonElement request)
    {
        using var connection = await Connection.OpenAsync(Endpoint(request), Timeout(request));
        var remote = (IPEndPoint)connection.Socket.RemoteEndPoint!;
        var local = (IPEndPoint)connection.Socket.LocalEndPoint!;
        return Reply.Ok(w =>
        {
            w.WriteString("name", connection.BackendName);
            w.WriteString("remoteAddress", remote.Address.ToString());
            w.WriteNumber("remotePort", remote.Port);
            w.WriteString("localAddress", local.Address.ToString());
            w.WriteNumber("localPort", local.Port);
        });
    }

    private static async Task<byte[]> StreamAsync(JsonElement request)
    {
        var source = request.TryGetProperty("source", out var s) ? IPAddress.Parse(s.GetString()!) : null;
        var mode = request.TryGetProperty("mode", out var m) ? Enum.Parse<StreamTransfer.Mode>(m.GetString()!, ignoreCase: true) : StreamTransfer.Mode.Writes;
        var result = await StreamTransfer.RunAsync(Endpoint(request), request.GetProperty("bytes").GetInt64(),
            request.GetProperty("maxWrite").GetInt32(), request.GetProperty("seed").GetInt32(), mode,
            request.TryGetProperty("abandon", out var a) && a.GetBoolean(), Timeout(request), source);
        return Reply.Ok(w =>
        {
            w.WriteString("name", result.Backend);
            w.WriteString("sentSha256", result.SentSha256);
            w.WriteString("receivedSha256", result.ReceivedSha256);
            w.WriteNumber("received", result.Received);
        });
    }

    private async Task<byte[]> HoldAsync(JsonElement request)
    {
        string id = Text(request, "id");
        if (_held.ContainsKey(id))
        {
            return Reply.Error($"a connection '{id}' is already held");
        }
        var connection = await Connection.OpenAsync(Endpoint(request), Timeout(request));
        _held.Add(id, connection);
        return Reply.Ok(w => w.WriteString("name", connection.BackendName));
    }

    /// <summary>getpeername(2) of a held connection, asked now.</summary>
    private byte[] HeldPeer(JsonElement request)
    {
        string id = Text(request, "id");
        if (!_held.TryGetValue(id, out var connection))
        {
            return Reply.Error($"no held connection '{id}'");
        }
        var remote = NativeConnect.PeerName(connection.Socket);
        return Reply.Ok(w =>
        {
            w.WriteString("remoteAddress", remote.Address.ToString());
            w.WriteNumber("remotePort", remote.Port);
        });
    }

    private async Task<byte[]> ReleaseAsync(JsonElement request)
    {
        string id = Text(request, "id");
        if (!_held.Remove(id, out var connection))
        {
            return Reply.Error($"no held connection '{id}'");
        }
        using (connection)
        {
            await connection.EchoAsync($"kmesh-probe-{id}", Timeout(request));
            return Reply.Ok(w => w.WriteString("name", connection.BackendName));
        }
    }

    private byte[] Stats() => Reply.Ok(w =>
    {
        w.WriteNumber("pid", Environment.ProcessId);
        w.WriteString("cgroup", ProcInfo.Cgroup());
        w.WriteString("netns", ProcInfo.Netns());
        w.WriteNumber("held", _held.Count);
        Reply.WriteCounts(w, "accepted", _listeners.Select(l => KeyValuePair.Create(l.Key, l.Value.Accepted)));
    });

    private static string Text(JsonElement request, string property) =>
        request.GetProperty(property).GetString() ?? throw new FormatException($"'{property}' is null");

    private static IPEndPoint Endpoint(JsonElement request) =>
        new(IPAddress.Parse(Text(request, "address")), request.GetProperty("port").GetInt32());

    private static TimeSpan Timeout(JsonElement request) =>
        request.TryGetProperty("timeoutMs", out var t) ? TimeSpan.FromMilliseconds(t.GetInt32()) : DefaultTimeout;

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _held.Values)
        {
            connection.Dispose();
        }
        foreach (var listener in _listeners.Values)
        {
            await listener.DisposeAsync();
        }
        foreach (var stalled in _stalled.Values)
        {
            stalled.Dispose();
        }
    }
}
