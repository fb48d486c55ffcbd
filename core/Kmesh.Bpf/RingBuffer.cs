using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kmesh.Bpf.Handles;
using Kmesh.Bpf.Interop;

namespace Kmesh.Bpf;

/// <summary>Receives one record of a <see cref="RingBuffer"/>; the span is valid only during the call.</summary>
public delegate void RingBufferRecordHandler(ReadOnlySpan<byte> record);

/// <summary>
/// The consumer side of a <c>BPF_MAP_TYPE_RINGBUF</c> map (libbpf's ring_buffer). Records are
/// handed to the handler on the thread that calls <see cref="Poll"/> or <see cref="Consume"/>,
/// straight from the shared memory (no copy). One thread polls at a time; Dispose may come
/// from any thread and takes effect once a running poll has returned.
/// </summary>
public sealed unsafe class RingBuffer : IDisposable
{
    private readonly SafeRingBufferHandle _handle;
    private readonly HeldFd _map;
    private readonly RingBufferRecordHandler _handler;
    private Exception? _handlerFailure;

    private RingBuffer(SafeRingBufferHandle handle, HeldFd map, RingBufferRecordHandler handler)
    {
        _handle = handle;
        _map = map;
        _handler = handler;
    }

    /// <summary>Opens a consumer on <paramref name="map"/> (a ring buffer map) that hands each record to <paramref name="handler"/>.</summary>
    /// <exception cref="BpfException">The map is not a ring buffer, or libbpf could not map it.</exception>
    public static RingBuffer Open(BpfMap map, RingBufferRecordHandler handler)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(handler);
        if (map.Type != BpfMapType.Ringbuf)
            throw new ArgumentException($"Map '{map.Name}' is {map.Type}, not a ring buffer.", nameof(map));
        using var lease = map.Lease();
        // The callback finds its RingBuffer through a GCHandle passed as libbpf's ctx; it is filled in below.
        var box = new StrongBox<RingBuffer?>();
        var self = GCHandle.Alloc(box);
        nint rb = Libbpf.ring_buffer__new(lease.Fd, &OnRecord, GCHandle.ToIntPtr(self), null);
        if (rb == 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            self.Free();
            throw new BpfException("open ring buffer", map.Target, errno);
        }
        var ring = new RingBuffer(new SafeRingBufferHandle(rb, self), lease.Hold(), handler);
        box.Value = ring;
        return ring;
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for records and hands over every one there is.
    /// Returns how many; 0 on timeout or when interrupted by a signal.
    /// </summary>
    /// <exception cref="BpfException">The poll failed.</exception>
    public int Poll(TimeSpan timeout) => Run(rb => Libbpf.ring_buffer__poll(rb, (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue)), "poll");

    /// <summary>Hands over every record there is now, without waiting; returns how many.</summary>
    public int Consume() => Run(Libbpf.ring_buffer__consume, "consume");

    /// <summary>Frees libbpf's consumer (after a running poll returns) and releases the map.</summary>
    public void Dispose()
    {
        _handle.Dispose();
        _map.Dispose();
    }

    private int Run(Func<nint, int> call, string what)
    {
        bool added = false;
        _handle.DangerousAddRef(ref added);
        int rc;
        try
        {
            rc = call(_handle.DangerousGetHandle());
        }
        finally
        {
            _handle.DangerousRelease();
        }
        if (Interlocked.Exchange(ref _handlerFailure, null) is { } failure)
            throw new InvalidOperationException("The ring buffer's record handler threw.", failure);
        const int EINTR = 4;
        if (rc == -EINTR)
            return 0;
        if (rc < 0)
            throw new BpfException($"ring buffer {what}", null, -rc);
        return rc;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnRecord(nint ctx, void* data, nuint size)
    {
        var ring = ((StrongBox<RingBuffer?>)GCHandle.FromIntPtr(ctx).Target!).Value;
        if (ring is null)
            return 0;
        try
        {
            ring._handler(new ReadOnlySpan<byte>(data, checked((int)size)));
            return 0;
        }
        catch (Exception e)
        {
            // An exception must not unwind into libbpf: stop this poll (a negative return) and rethrow after it.
            ring._handlerFailure = e;
            return -1;
        }
    }
}
