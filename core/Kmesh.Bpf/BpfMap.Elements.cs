using Kmesh.Bpf.Interop;

namespace Kmesh.Bpf;

/// <summary>Single-element operations on raw bytes.</summary>
public sealed partial class BpfMap
{
    /// <summary>
    /// Looks <paramref name="key"/> up into <paramref name="value"/>, which must hold
    /// <see cref="ValueBufferSize"/> bytes (all CPUs' values on a per-CPU map).
    /// For a prog array the value read back is the program's id. False when absent.
    /// </summary>
    public unsafe bool TryLookup(ReadOnlySpan<byte> key, Span<byte> value)
    {
        CheckKey(key);
        if (value.Length < ValueBufferSize)
            throw BufferTooSmall(nameof(value), value.Length);
        int rc;
        using (var lease = Lease())
        {
            fixed (byte* k = key)
            fixed (byte* v = value)
                rc = Libbpf.bpf_map_lookup_elem(lease.Fd, k, v);
        }
        if (rc == -Errno.ENOENT)
            return false;
        if (rc < 0)
            throw new BpfException("map lookup", Target, -rc);
        return true;
    }

    /// <summary>
    /// Writes one element; <paramref name="value"/> is <see cref="ValueBufferSize"/> bytes (for a
    /// prog array: a program fd - see <see cref="ProgramArray"/>).
    /// </summary>
    /// <exception cref="BpfMapFullException">A new key did not fit.</exception>
    /// <exception cref="BpfException">Any other refusal (EEXIST with NoExist, ENOENT with Exist, ...).</exception>
    public unsafe void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, BpfUpdateFlags flags = BpfUpdateFlags.Any)
    {
        CheckKey(key);
        if (value.Length != ValueBufferSize)
            throw WrongValueSize(nameof(value), value.Length);
        int rc;
        using (var lease = Lease())
        {
            fixed (byte* k = key)
            fixed (byte* v = value)
                rc = Libbpf.bpf_map_update_elem(lease.Fd, k, v, (ulong)flags);
        }
        if (rc < 0)
            throw UpdateError(-rc, null);
    }

    /// <summary>Deletes one element; false when it was not there.</summary>
    public unsafe bool Delete(ReadOnlySpan<byte> key)
    {
        CheckKey(key);
        int rc;
        using (var lease = Lease())
        {
            fixed (byte* k = key)
                rc = Libbpf.bpf_map_delete_elem(lease.Fd, k);
        }
        if (rc == -Errno.ENOENT)
            return false;
        if (rc < 0)
            throw new BpfException("map delete", Target, -rc);
        return true;
    }

    /// <summary>
    /// Writes the key following <paramref name="key"/> into <paramref name="nextKey"/>; an empty
    /// <paramref name="key"/> asks for the first key. False at the end. On hash maps a key deleted
    /// meanwhile restarts the walk from the beginning (a kernel property).
    /// </summary>
    public unsafe bool TryGetNextKey(ReadOnlySpan<byte> key, Span<byte> nextKey)
    {
        if (!key.IsEmpty)
            CheckKey(key);
        if (nextKey.Length < KeySize)
            throw new ArgumentException($"{nameof(nextKey)} holds {nextKey.Length} bytes; map '{Name}' has {KeySize}-byte keys.", nameof(nextKey));
        int rc;
        using (var lease = Lease())
        {
            fixed (byte* k = key)
            fixed (byte* n = nextKey)
                rc = Libbpf.bpf_map_get_next_key(lease.Fd, key.IsEmpty ? null : k, n);
        }
        if (rc == -Errno.ENOENT)
            return false;
        if (rc < 0)
            throw new BpfException("map get-next-key", Target, -rc);
        return true;
    }

    private void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
            throw new ArgumentException($"Key is {key.Length} bytes; map '{Name}' has {KeySize}-byte keys.", nameof(key));
    }

    private ArgumentException BufferTooSmall(string param, int length) => new(
        $"{param} holds {length} bytes; map '{Name}' needs {ValueBufferSize}" +
        (IsPerCpu ? $" ({PossibleCpuCount} CPUs x {(ValueSize + 7) & ~7u} bytes)." : "."), param);

    private ArgumentException WrongValueSize(string param, int length) => new(
        $"{param} is {length} bytes; map '{Name}' takes {ValueBufferSize}" +
        (IsPerCpu ? $" ({PossibleCpuCount} CPUs x {(ValueSize + 7) & ~7u} bytes)." : "."), param);

    /// <summary>Maps an update errno to the most useful exception.</summary>
    private BpfException UpdateError(int errno, string? detail)
    {
        bool arrayLike = Type is BpfMapType.Array or BpfMapType.PerCpuArray or BpfMapType.ProgArray
            or BpfMapType.ArrayOfMaps or BpfMapType.CgroupArray or BpfMapType.PerfEventArray;
        if (errno is Errno.E2BIG or Errno.ENOSPC && !arrayLike)
            return new BpfMapFullException(Name, MaxEntries, errno, detail);
        if (errno == Errno.E2BIG)
            detail = $"Index beyond max_entries ({MaxEntries}). {detail}";
        else if (errno == Errno.EINVAL && Type == BpfMapType.ProgArray)
            detail = "A prog array only takes programs of the same type and expected attach type as its first user. " + detail;
        return new BpfException("map update", Target, errno, detail?.Trim());
    }
}
