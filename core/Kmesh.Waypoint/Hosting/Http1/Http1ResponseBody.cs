namespace Kmesh.Waypoint.Hosting.Http1;

/// <summary>The response body as a stream: writes go to the connection's output buffer, flushes send it.</summary>
internal sealed class Http1ResponseBody(IHttp1Output connection) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        connection.WriteBodyAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => connection.FlushBodyAsync(cancellationToken).AsTask();

    public override void Flush() => FlushAsync().GetAwaiter().GetResult();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>What the body streams need of their connection, without its type parameter.</summary>
internal interface IHttp1Output
{
    ValueTask WriteBodyAsync(ReadOnlyMemory<byte> data, CancellationToken cancellation);

    ValueTask FlushBodyAsync(CancellationToken cancellation);
}

/// <summary>What the request body stream needs of its connection.</summary>
internal interface IHttp1Input
{
    /// <summary>The bytes received and not yet consumed.</summary>
    ReadOnlySpan<byte> Buffered { get; }

    void Consume(int count);

    /// <summary>Receives more of the body after the buffered bytes (answering <c>Expect: 100-continue</c> first); 0 when the peer has closed.</summary>
    ValueTask<int> ReceiveBodyAsync(CancellationToken cancellation);

    /// <summary>The body has been read to its end.</summary>
    void BodyEnded();
}
