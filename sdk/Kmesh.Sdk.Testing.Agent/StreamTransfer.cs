using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Kmesh.Sdk.Testing.Agent;

/// <summary>
/// Pushes a known byte stream through an echo backend and hashes what comes back: the test of
/// a data path's integrity. Random-sized writes of seeded random bytes (or one sendfile of a
/// file holding them) go out while a reader hashes the echo; then the write side is shut
/// (half-close), and the echo must end with EOF after exactly as many bytes.
/// </summary>
internal static class StreamTransfer
{
    public sealed record Result(string Backend, string SentSha256, string ReceivedSha256, long Received);

    /// <summary>How the bytes go out.</summary>
    public enum Mode { Writes, Vectored, Sendfile, Corked }

    public static async Task<Result> RunAsync(IPEndPoint remote, long bytes, int maxWrite, int seed, Mode mode, bool abandon, TimeSpan timeout, IPAddress? source)
    {
        using var connection = await Connection.OpenAsync(remote, timeout, source);
        var socket = connection.Socket;
        using var cts = new CancellationTokenSource(timeout);
        if (abandon)
        {
            // Send, then close at once without reading: the peer finds its echo refused while
            // data is still queued towards it.
            var abandoned = await WriteRandomAsync(socket, bytes, maxWrite, seed, vectored: false, cts.Token);
            socket.Close(0);
            return new Result(connection.BackendName, abandoned, "", -1);
        }
        // Async both ways: a Socket refuses a blocking call while an async one is in flight.
        var reader = ReadAllAsync(socket, cts.Token);
        var sent = mode == Mode.Sendfile
            ? await SendFileAsync(socket, bytes, seed, cts.Token)
            : mode == Mode.Corked
                ? await Task.Run(() => WriteCorked(socket, bytes, maxWrite, seed), cts.Token)
                : await WriteRandomAsync(socket, bytes, maxWrite, seed, mode == Mode.Vectored, cts.Token);
        socket.Shutdown(SocketShutdown.Send);
        var (received, receivedHash) = await reader;
        return new Result(connection.BackendName, sent, receivedHash, received);
    }

    /// <summary>Random-sized sends; vectored: each one a writev(2) of up to four random-sized pieces.</summary>
    private static async Task<string> WriteRandomAsync(Socket socket, long bytes, int maxWrite, int seed, bool vectored, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var buffer = new byte[maxWrite];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (long left = bytes; left > 0;)
        {
            var size = (int)Math.Min(left, random.Next(1, maxWrite + 1));
            random.NextBytes(buffer.AsSpan(0, size));
            hash.AppendData(buffer, 0, size);
            if (vectored)
                await SendVectoredAsync(socket, buffer, size, random);
            else
            {
                for (var offset = 0; offset < size;)
                    offset += await socket.SendAsync(buffer.AsMemory(offset, size - offset), SocketFlags.None, cancellationToken);
            }
            left -= size;
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>Random-sized sends in up to three pieces each, all but the last with MSG_MORE.</summary>
    private static string WriteCorked(Socket socket, long bytes, int maxWrite, int seed)
    {
        var random = new Random(seed);
        var buffer = new byte[maxWrite];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (long left = bytes; left > 0;)
        {
            var size = (int)Math.Min(left, random.Next(1, maxWrite + 1));
            random.NextBytes(buffer.AsSpan(0, size));
            hash.AppendData(buffer, 0, size);
            var first = random.Next(0, size + 1);
            var second = random.Next(first, size + 1);
            NativeConnect.SendAll(socket, buffer.AsSpan(0, first), more: true);
            NativeConnect.SendAll(socket, buffer.AsSpan(first, second - first), more: true);
            NativeConnect.SendAll(socket, buffer.AsSpan(second, size - second), more: false);
            left -= size;
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static async Task SendVectoredAsync(Socket socket, byte[] buffer, int size, Random random)
    {
        var pieces = new List<ArraySegment<byte>>(4);
        for (var offset = 0; offset < size;)
        {
            var piece = pieces.Count == 3 ? size - offset : Math.Min(size - offset, random.Next(1, size + 1));
            pieces.Add(new ArraySegment<byte>(buffer, offset, piece));
            offset += piece;
        }
        // A partial writev leaves the rest for another round, as an application would.
        var sent = await socket.SendAsync(pieces, SocketFlags.None);
        for (var offset = sent; offset < size;)
            offset += await socket.SendAsync(buffer.AsMemory(offset, size - offset), SocketFlags.None);
    }

    /// <summary>sendfile(2) (what Socket.SendFileAsync does on Linux) of a file of seeded random bytes.</summary>
    private static async Task<string> SendFileAsync(Socket socket, long bytes, int seed, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kmesh-agent-{Environment.ProcessId}-{seed}.bin");
        try
        {
            var random = new Random(seed);
            var buffer = new byte[1 << 20];
            using (var file = File.Create(path))
            {
                for (long left = bytes; left > 0; left -= buffer.Length)
                {
                    random.NextBytes(buffer);
                    file.Write(buffer, 0, (int)Math.Min(left, buffer.Length));
                }
            }
            string hash;
            using (var file = File.OpenRead(path))
                hash = Convert.ToHexString(SHA256.HashData(file));
            await socket.SendFileAsync(path, cancellationToken);
            return hash;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<(long Bytes, string Sha256)> ReadAllAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[256 * 1024];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long total = 0;
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (n == 0)
                    return (total, Convert.ToHexString(hash.GetHashAndReset()));
                hash.AppendData(buffer, 0, n);
                total += n;
            }
        }
        catch (OperationCanceledException)
        {
            throw new ConnectFailedException("ETIMEDOUT", $"the echo stalled after {total} bytes");
        }
    }
}
