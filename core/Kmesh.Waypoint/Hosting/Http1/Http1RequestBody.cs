using System.Buffers.Text;

namespace Kmesh.Waypoint.Hosting.Http1;

/// <summary>
/// The request body as a stream: a Content-Length body or a chunked one, read first from the
/// bytes already received with the head, then from the socket.
/// </summary>
internal sealed class Http1RequestBody(IHttp1Input input) : Stream
{
    // What is read and thrown away of a body the application left unread before the next request.
    private const int MaxDrain = 64 * 1024;
    private const int MaxChunkLine = 4096;

    private enum State { Length, ChunkSize, ChunkData, ChunkEnd, Trailers, Done }

    private State _state;
    private bool _draining;
    private long _remaining;

    public bool CanHaveBody { get; private set; }

    /// <summary>A new request's body: <paramref name="length"/> bytes, or chunked when negative.</summary>
    public void Reset(long length)
    {
        _state = length < 0 ? State.ChunkSize : length == 0 ? State.Done : State.Length;
        _remaining = Math.Max(length, 0);
        _draining = false;
        CanHaveBody = length != 0;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            switch (_state)
            {
                case State.Done:
                    return 0;
                case State.Length or State.ChunkData:
                    if (buffer.IsEmpty)
                        return 0;
                    if (input.Buffered.IsEmpty && await input.ReceiveBodyAsync(cancellationToken) == 0)
                        throw new IOException("the client closed the connection before the request body ended");
                    var take = (int)Math.Min(Math.Min(input.Buffered.Length, buffer.Length), _remaining);
                    input.Buffered[..take].CopyTo(buffer.Span);
                    input.Consume(take);
                    _remaining -= take;
                    if (_remaining == 0)
                        _state = _state == State.Length ? State.Done : State.ChunkEnd;
                    if (_state == State.Done)
                        if (!_draining)
                            input.BodyEnded();
                    return take;
                default:
                    if (!await ReadChunkFramingAsync(cancellationToken))
                        throw new IOException("the client closed the connection before the request body ended");
                    break;
            }
        }
    }

    /// <summary>Reads one framing line of a chunked body (a size, the CRLF after data, a trailer).</summary>
    private async ValueTask<bool> ReadChunkFramingAsync(CancellationToken cancellationToken)
    {
        int lineEnd;
        while ((lineEnd = input.Buffered.IndexOf("\r\n"u8)) < 0)
        {
            if (input.Buffered.Length > MaxChunkLine)
                throw new BadHttpRequestBodyException("a chunk's framing line is too long");
            if (await input.ReceiveBodyAsync(cancellationToken) == 0)
                return false;
        }
        var line = input.Buffered[..lineEnd];
        switch (_state)
        {
            case State.ChunkSize:
                var extension = line.IndexOf((byte)';');
                var digits = extension < 0 ? line : line[..extension];
                if (!Utf8Parser.TryParse(digits, out long size, out var used, 'x') || used != digits.Length || size < 0)
                    throw new BadHttpRequestBodyException("a chunk size is not hexadecimal");
                _remaining = size;
                _state = size == 0 ? State.Trailers : State.ChunkData;
                break;
            case State.ChunkEnd:
                if (lineEnd != 0)
                    throw new BadHttpRequestBodyException("a chunk is longer than its size");
                _state = State.ChunkSize;
                break;
            case State.Trailers:
                if (lineEnd == 0)
                    _state = State.Done; // trailers are read and dropped
                break;
        }
        input.Consume(lineEnd + 2);
        if (_state == State.Done && !_draining)
            input.BodyEnded();
        return true;
    }

    /// <summary>Reads what the application left of the body, so the next request can be read; false to close instead.</summary>
    public async ValueTask<bool> DrainAsync()
    {
        if (_state == State.Done)
            return true;
        _draining = true;
        var scratch = new byte[4096];
        var drained = 0;
        try
        {
            while (drained < MaxDrain)
            {
                var read = await ReadAsync(scratch);
                if (read == 0)
                    return true;
                drained += read;
            }
        }
        catch (Exception e) when (e is IOException or BadHttpRequestBodyException)
        {
        }
        return false;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A request body that breaks HTTP/1.1's framing: the connection cannot be read on.</summary>
internal sealed class BadHttpRequestBodyException(string message) : IOException(message);
