using System.Buffers;
using System.Runtime.InteropServices;

namespace Kmesh.Bpf;

/// <summary>
/// Per-CPU maps: the kernel exchanges one value per possible CPU, each in an 8-byte-aligned
/// slot, so typed values are copied in and out of that layout.
/// </summary>
public sealed partial class BpfMap
{
    private const int StackLimit = 1024;

    /// <summary>
    /// Reads every CPU's value of <paramref name="key"/> into <paramref name="values"/> (at least
    /// <see cref="PossibleCpuCount"/> long). False when the key is absent.
    /// </summary>
    public unsafe bool TryLookupPerCpu<TKey, TValue>(in TKey key, Span<TValue> values)
        where TKey : unmanaged where TValue : unmanaged
    {
        CheckTypes<TKey, TValue>(perCpu: true);
        int cpus = PossibleCpuCount;
        if (values.Length < cpus)
            throw new ArgumentException($"{nameof(values)} has {values.Length} slots; this machine has {cpus} possible CPUs.", nameof(values));
        int stride = RoundUp8(ValueSize), total = ValueBufferSize;
        byte[]? rented = total > StackLimit ? ArrayPool<byte>.Shared.Rent(total) : null;
        try
        {
            Span<byte> buffer = rented is null ? stackalloc byte[StackLimit] : rented;
            if (!TryLookup(Bytes(in key), buffer[..total]))
                return false;
            for (int cpu = 0; cpu < cpus; cpu++)
                values[cpu] = MemoryMarshal.Read<TValue>(buffer.Slice(cpu * stride, sizeof(TValue)));
            return true;
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Every CPU's value of <paramref name="key"/> (index = CPU); empty when the key is absent.</summary>
    public TValue[] LookupPerCpu<TKey, TValue>(in TKey key) where TKey : unmanaged where TValue : unmanaged
    {
        var values = new TValue[PossibleCpuCount];
        return TryLookupPerCpu(in key, values.AsSpan()) ? values : [];
    }

    /// <summary>
    /// Every CPU's raw value of <paramref name="key"/> (index = CPU, <see cref="ValueSize"/> bytes
    /// each, padding dropped); empty when the key is absent.
    /// </summary>
    public byte[][] LookupPerCpu<TKey>(in TKey key) where TKey : unmanaged
    {
        CheckKeyType<TKey>();
        if (!IsPerCpu)
            throw new InvalidOperationException($"Map '{Name}' is not per-CPU ({Type}).");
        var buffer = new byte[ValueBufferSize];
        if (!TryLookup(Bytes(in key), buffer))
            return [];
        int stride = RoundUp8(ValueSize);
        var values = new byte[PossibleCpuCount][];
        for (int cpu = 0; cpu < values.Length; cpu++)
            values[cpu] = buffer.AsSpan(cpu * stride, (int)ValueSize).ToArray();
        return values;
    }

    /// <summary>Writes every CPU's value of <paramref name="key"/>; <paramref name="values"/> has one per possible CPU.</summary>
    /// <exception cref="BpfMapFullException">A new key did not fit.</exception>
    public unsafe void UpdatePerCpu<TKey, TValue>(in TKey key, ReadOnlySpan<TValue> values, BpfUpdateFlags flags = BpfUpdateFlags.Any)
        where TKey : unmanaged where TValue : unmanaged
    {
        CheckTypes<TKey, TValue>(perCpu: true);
        int cpus = PossibleCpuCount;
        if (values.Length != cpus)
            throw new ArgumentException($"{nameof(values)} has {values.Length} values; this machine has {cpus} possible CPUs.", nameof(values));
        int stride = RoundUp8(ValueSize), total = ValueBufferSize;
        byte[]? rented = total > StackLimit ? ArrayPool<byte>.Shared.Rent(total) : null;
        try
        {
            Span<byte> buffer = (rented is null ? stackalloc byte[StackLimit] : rented.AsSpan())[..total];
            buffer.Clear();
            for (int cpu = 0; cpu < cpus; cpu++)
                MemoryMarshal.Write(buffer.Slice(cpu * stride, sizeof(TValue)), in values[cpu]);
            Update(Bytes(in key), buffer, flags);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
