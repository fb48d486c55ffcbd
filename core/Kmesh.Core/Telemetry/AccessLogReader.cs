using System.Threading.Channels;
using Kmesh.Bpf;

namespace Kmesh.Core.Telemetry;

/// <summary>
/// Follows the kernel's access-log ring buffer on a thread of its own and hands out decoded
/// records. The daemon's loops never wait for it: the thread waits in epoll, and when the
/// consumer of <see cref="ReadAllAsync"/> falls behind, the thread stops taking records, the
/// ring fills, and the kernel drops (and counts, <see cref="TrafficReport.AccessLogDropped"/>)
/// instead of ever slowing a connection. One reader per ring at a time: two would split the records.
/// </summary>
public sealed class AccessLogReader : IAsyncDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private readonly RingBuffer _ring;
    private readonly AccessLogDecoder _decoder;
    private readonly Channel<AccessLogRecord> _records;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<AccessLogRecord> _batch = new();
    private readonly Thread _thread;
    private ulong _undecodable;

    internal AccessLogReader(BpfMap ring, AccessLogDecoder decoder, int capacity = 4096)
    {
        _decoder = decoder;
        _records = Channel.CreateBounded<AccessLogRecord>(new BoundedChannelOptions(capacity)
        {
            SingleReader = false,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _ring = RingBuffer.Open(ring, OnRecord);
        _thread = new Thread(Follow) { IsBackground = true, Name = "kmesh access log" };
        _thread.Start();
    }

    /// <summary>Records the kernel wrote that this reader could not decode (a newer object's kinds); normally 0.</summary>
    public ulong Undecodable => Interlocked.Read(ref _undecodable);

    /// <summary>The records, in the order the kernel committed them, until the reader is disposed.</summary>
    public IAsyncEnumerable<AccessLogRecord> ReadAllAsync(CancellationToken cancellationToken = default) =>
        _records.Reader.ReadAllAsync(cancellationToken);

    private void OnRecord(ReadOnlySpan<byte> record)
    {
        if (_decoder.Decode(record) is { } decoded)
            _batch.Add(decoded);
        else
            Interlocked.Increment(ref _undecodable);
    }

    private void Follow()
    {
        var token = _stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                _ring.Poll(PollTimeout);
                // The kernel wakes this thread only when the unread part of the ring passes
                // KM_LOG_WAKEUP_BYTES (telemetry.h), not per record: take what came without one.
                _ring.Consume();
                foreach (var record in _batch)
                {
                    // Blocking here is the back-pressure: this thread is ours alone.
                    while (!_records.Writer.TryWrite(record))
                    {
                        if (!_records.Writer.WaitToWriteAsync(token).AsTask().GetAwaiter().GetResult())
                            return;
                    }
                }
                _batch.Clear();
            }
            // Stopping: take what was committed since the last poll (no wake-up per record), without waiting.
            _ring.Consume();
            foreach (var record in _batch)
            {
                if (!_records.Writer.TryWrite(record))
                    break;
            }
            _batch.Clear();
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            _records.Writer.TryComplete(e);
            return;
        }
        finally
        {
            _records.Writer.TryComplete();
        }
    }

    /// <summary>Stops the thread and frees the consumer; pending readers see the end of the records.</summary>
    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        // The poll returns within PollTimeout; the ring is freed after it (SafeHandle).
        _thread.Join();
        _ring.Dispose();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
