namespace Kmesh.Waypoint.Proxy;

/// <summary>
/// A request body of unknown length (chunked, or HTTP/2 without a length, as gRPC sends it) copied
/// as it streams upstream, never held back: when it ends within <see cref="RequestBodyBuffer.Limit"/>
/// the plan keeps the copy, so a retry can send it again (a gRPC call answered UNAVAILABLE); past
/// the limit the copy is dropped and the request is not retried once its body was sent, as Envoy
/// stops retrying when its buffer overflows. Reading ahead instead would stall a streaming call.
/// </summary>
internal sealed class BodyCapture(Stream body, AttemptPlan plan) : Stream
{
    private byte[]? _copy = [];
    private int _length;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        var read = await body.ReadAsync(destination, cancellationToken);
        // A zero-byte read (YARP waits for data that way) returns 0 without being the end.
        if (read > 0 || destination.Length > 0)
            Keep(destination.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = body.Read(buffer, offset, count);
        if (read > 0 || count > 0)
            Keep(buffer.AsSpan(offset, read));
        return read;
    }

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (_copy is null)
            return;
        if (bytes.IsEmpty)
        {
            plan.Body = _copy[.._length]; // the end, within the limit: the whole body
            _copy = null;
            return;
        }
        if (_length + bytes.Length > RequestBodyBuffer.Limit)
        {
            _copy = null; // too large to keep: this request is not retried after its body went out
            return;
        }
        if (_length + bytes.Length > _copy.Length)
            Array.Resize(ref _copy, Math.Min(RequestBodyBuffer.Limit, Math.Max(Math.Max(_copy.Length * 2, 4096), _length + bytes.Length)));
        bytes.CopyTo(_copy.AsSpan(_length));
        _length += bytes.Length;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
