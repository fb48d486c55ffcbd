namespace Kmesh.Sdk.Testing.Agent;

/// <summary>Writes one reply per line to stdout and flushes at once: the host waits on each line.</summary>
internal sealed class ReplyWriter(Stream stdout) : IDisposable
{
    public void Write(byte[] json)
    {
        stdout.Write(json);
        stdout.WriteByte((byte)'\n');
        stdout.Flush();
    }

    public void Dispose() => stdout.Dispose();
}
