using System.Buffers;
using System.Runtime.InteropServices;
using Kmesh.Bpf.Interop;

namespace Kmesh.Bpf;

/// <summary>
/// Batch writes and deletes: one syscall for many elements where the map type supports it,
/// element by element where it does not (the first ENOTSUPP is remembered per map).
/// </summary>
public sealed partial class BpfMap
{
    /// <summary>
    /// Writes <c>keys.Length / KeySize</c> elements: <paramref name="keys"/> packed back to back,
    /// <paramref name="values"/> likewise at <see cref="ValueBufferSize"/> each. Returns the count.
    /// </summary>
    /// <exception cref="BpfMapFullException">The map filled up; the elements before were written.</exception>
    public unsafe int UpdateBatch(ReadOnlySpan<byte> keys, ReadOnlySpan<byte> values, BpfUpdateFlags flags = BpfUpdateFlags.Any)
    {
        int count = BatchCount(keys);
        if (values.Length != count * ValueBufferSize)
            throw new ArgumentException($"{nameof(values)} is {values.Length} bytes; {count} values of map '{Name}' take {count * ValueBufferSize}.", nameof(values));
        if (count == 0)
            return 0;

        if (!_batchUnsupported)
        {
            uint n = (uint)count;
            int rc;
            var opts = new BpfMapBatchOpts { Sz = (nuint)sizeof(BpfMapBatchOpts), ElemFlags = (ulong)flags };
            using (var lease = Lease())
            {
                fixed (byte* k = keys)
                fixed (byte* v = values)
                    rc = Libbpf.bpf_map_update_batch(lease.Fd, k, v, &n, &opts);
            }
            if (rc == 0)
                return count;
            int errno = -rc;
            if (!FallBackFromBatch(errno, n))
                throw UpdateError(errno, $"Batch stopped after {n} of {count} elements.");
        }

        int ks = (int)KeySize, vs = ValueBufferSize;
        for (int i = 0; i < count; i++)
            Update(keys.Slice(i * ks, ks), values.Slice(i * vs, vs), flags);
        return count;
    }

    /// <summary>Typed <see cref="UpdateBatch(ReadOnlySpan{byte}, ReadOnlySpan{byte}, BpfUpdateFlags)"/> (not for per-CPU maps).</summary>
    public int UpdateBatch<TKey, TValue>(ReadOnlySpan<TKey> keys, ReadOnlySpan<TValue> values, BpfUpdateFlags flags = BpfUpdateFlags.Any)
        where TKey : unmanaged where TValue : unmanaged
    {
        CheckTypes<TKey, TValue>(perCpu: false);
        if (keys.Length != values.Length)
            throw new ArgumentException($"{keys.Length} keys but {values.Length} values.", nameof(values));
        return UpdateBatch(MemoryMarshal.AsBytes(keys), MemoryMarshal.AsBytes(values), flags);
    }

    /// <summary>
    /// Deletes the packed <paramref name="keys"/>; keys that are absent are skipped.
    /// Returns how many elements were actually deleted.
    /// </summary>
    public unsafe int DeleteBatch(ReadOnlySpan<byte> keys)
    {
        int count = BatchCount(keys), ks = (int)KeySize, deleted = 0, next = 0;
        bool batch = !_batchUnsupported;
        while (batch && next < count)
        {
            uint n = (uint)(count - next);
            int rc;
            var opts = new BpfMapBatchOpts { Sz = (nuint)sizeof(BpfMapBatchOpts) };
            using (var lease = Lease())
            {
                fixed (byte* k = keys[(next * ks)..])
                    rc = Libbpf.bpf_map_delete_batch(lease.Fd, k, &n, &opts);
            }
            if (rc == 0)
                return deleted + count - next;
            int errno = -rc;
            deleted += (int)n;
            next += (int)n;
            if (errno == Errno.ENOENT)
            {
                next++; // the kernel stops at a missing key: skip it and go on
                continue;
            }
            if (!FallBackFromBatch(errno, n))
                throw new BpfException("map delete batch", Target, errno, $"Stopped after {deleted} deletions.");
            batch = false;
        }
        for (; next < count; next++)
        {
            if (Delete(keys.Slice(next * ks, ks)))
                deleted++;
        }
        return deleted;
    }

    /// <summary>Typed <see cref="DeleteBatch(ReadOnlySpan{byte})"/>.</summary>
    public int DeleteBatch<TKey>(ReadOnlySpan<TKey> keys) where TKey : unmanaged
    {
        CheckKeyType<TKey>();
        return DeleteBatch(MemoryMarshal.AsBytes(keys));
    }

    /// <summary>Receives one batch of <see cref="LookupBatch"/>: <paramref name="count"/> keys packed back to back, values at <see cref="ValueBufferSize"/> each (all CPUs' on a per-CPU map).</summary>
    public delegate void LookupBatchHandler(ReadOnlySpan<byte> keys, ReadOnlySpan<byte> values, int count);

    /// <summary>
    /// Reads the whole map with BPF_MAP_LOOKUP_BATCH, up to <paramref name="batchSize"/> elements a
    /// syscall, handing each batch to <paramref name="onBatch"/> (buffers reused between batches).
    /// Returns how many elements were read, or -1 when the kernel has no batch lookup for this map
    /// type (read it element by element then; remembered per map). Meant for arrays, whose elements
    /// always exist: a hash map changing meanwhile may be read in part, and one of its buckets
    /// holding more than <paramref name="batchSize"/> elements fails with ENOSPC.
    /// </summary>
    public unsafe int LookupBatch(int batchSize, LookupBatchHandler onBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentNullException.ThrowIfNull(onBatch);
        if (_lookupBatchUnsupported)
            return -1;
        int ks = (int)KeySize, vs = ValueBufferSize;
        // The position token: a key for arrays, a bucket index (u32) for hash maps.
        int token = Math.Max(ks, 8);
        byte[] keys = ArrayPool<byte>.Shared.Rent(batchSize * ks);
        byte[] values = ArrayPool<byte>.Shared.Rent(batchSize * vs);
        byte[] inBatch = new byte[token], outBatch = new byte[token];
        try
        {
            int read = 0;
            bool first = true;
            while (true)
            {
                uint n = (uint)batchSize;
                int rc;
                var opts = new BpfMapBatchOpts { Sz = (nuint)sizeof(BpfMapBatchOpts) };
                using (var lease = Lease())
                {
                    fixed (byte* i = inBatch)
                    fixed (byte* o = outBatch)
                    fixed (byte* k = keys)
                    fixed (byte* v = values)
                        rc = Libbpf.bpf_map_lookup_batch(lease.Fd, first ? null : i, o, k, v, &n, &opts);
                }
                int errno = rc < 0 ? -rc : 0;
                if (errno != 0 && errno != Errno.ENOENT)
                {
                    if (first && (Errno.IsNotSupported(errno) || errno == Errno.EINVAL))
                    {
                        _lookupBatchUnsupported = true;
                        return -1;
                    }
                    throw new BpfException("map lookup batch", Target, errno, $"Stopped after {read} elements.");
                }
                if (n > 0)
                {
                    onBatch(keys.AsSpan(0, (int)n * ks), values.AsSpan(0, (int)n * vs), (int)n);
                    read += (int)n;
                }
                // ENOENT: the map has no element past this batch; and once max_entries are read
                // there can be none either (an array's last call would only say ENOENT).
                if (errno == Errno.ENOENT || n == 0 || (uint)read >= MaxEntries)
                    return read;
                outBatch.CopyTo(inBatch);
                first = false;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(keys);
            ArrayPool<byte>.Shared.Return(values);
        }
    }

    private int BatchCount(ReadOnlySpan<byte> keys)
    {
        if (keys.Length % (int)KeySize != 0)
            throw new ArgumentException($"{nameof(keys)} is {keys.Length} bytes, not a multiple of map '{Name}' key size {KeySize}.", nameof(keys));
        return keys.Length / (int)KeySize;
    }

    /// <summary>
    /// True when a batch failure means "this map type has no batch op": ENOTSUPP/EOPNOTSUPP, or
    /// EINVAL from kernels without the batch commands, before any element was processed.
    /// </summary>
    private bool FallBackFromBatch(int errno, uint processed)
    {
        if (processed != 0)
            return false;
        if (Errno.IsNotSupported(errno))
        {
            _batchUnsupported = true;
            return true;
        }
        // EINVAL may also be a genuine per-element error; the element-wise retry will report it.
        return errno == Errno.EINVAL;
    }
}
