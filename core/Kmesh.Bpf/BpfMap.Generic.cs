using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kmesh.Bpf;

/// <summary>
/// Typed helpers for unmanaged key/value structs that mirror the C layout. The sizes are checked
/// against the map's, which catches most layout drift between C and C#.
/// </summary>
public sealed partial class BpfMap
{
    /// <summary>Looks a key up; false when absent. Not for per-CPU maps (see <see cref="TryLookupPerCpu{TKey, TValue}"/>).</summary>
    public bool TryLookup<TKey, TValue>(in TKey key, out TValue value)
        where TKey : unmanaged where TValue : unmanaged
    {
        CheckTypes<TKey, TValue>(perCpu: false);
        value = default;
        return TryLookup(Bytes(in key), MemoryMarshal.AsBytes(new Span<TValue>(ref value)));
    }

    /// <summary>Writes one element.</summary>
    /// <exception cref="BpfMapFullException">A new key did not fit.</exception>
    public void Update<TKey, TValue>(in TKey key, in TValue value, BpfUpdateFlags flags = BpfUpdateFlags.Any)
        where TKey : unmanaged where TValue : unmanaged
    {
        CheckTypes<TKey, TValue>(perCpu: false);
        Update(Bytes(in key), Bytes(in value), flags);
    }

    /// <summary>Deletes one element; false when it was not there.</summary>
    public bool Delete<TKey>(in TKey key) where TKey : unmanaged
    {
        CheckKeyType<TKey>();
        return Delete(Bytes(in key));
    }

    /// <summary>True when the key is present.</summary>
    public bool ContainsKey<TKey>(in TKey key) where TKey : unmanaged
    {
        CheckKeyType<TKey>();
        Span<byte> value = ValueBufferSize <= 512 ? stackalloc byte[ValueBufferSize] : new byte[ValueBufferSize];
        return TryLookup(Bytes(in key), value);
    }

    /// <summary>Reinterprets one unmanaged value as its bytes, without copying.</summary>
    internal static ReadOnlySpan<byte> Bytes<T>(in T value) where T : unmanaged
        => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value));

    private unsafe void CheckKeyType<TKey>() where TKey : unmanaged
    {
        if (sizeof(TKey) != KeySize)
            throw new ArgumentException($"{typeof(TKey).Name} is {sizeof(TKey)} bytes; map '{Name}' has {KeySize}-byte keys.");
    }

    private unsafe void CheckTypes<TKey, TValue>(bool perCpu) where TKey : unmanaged where TValue : unmanaged
    {
        CheckKeyType<TKey>();
        if (sizeof(TValue) != ValueSize)
            throw new ArgumentException($"{typeof(TValue).Name} is {sizeof(TValue)} bytes; map '{Name}' has {ValueSize}-byte values.");
        if (IsPerCpu != perCpu)
            throw new InvalidOperationException(IsPerCpu
                ? $"Map '{Name}' is per-CPU ({Type}); use the PerCpu methods."
                : $"Map '{Name}' is not per-CPU ({Type}).");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RoundUp8(uint size) => (int)((size + 7) & ~7u);
}
