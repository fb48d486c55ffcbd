using System.Runtime.InteropServices;

namespace Kmesh.Bpf;

/// <summary>Key enumeration.</summary>
public sealed partial class BpfMap
{
    /// <summary>
    /// Enumerates the keys without allocating; <paramref name="scratch"/> must hold two keys
    /// (<c>2 * KeySize</c> bytes).
    /// </summary>
    public BpfMapKeyEnumerator EnumerateKeys(Span<byte> scratch) => new(this, scratch);

    /// <summary>Enumerates the keys as <typeparamref name="TKey"/> (one iterator allocation, none per key).</summary>
    public IEnumerable<TKey> Keys<TKey>() where TKey : unmanaged
    {
        CheckKeyType<TKey>();
        return Iterate();

        IEnumerable<TKey> Iterate()
        {
            TKey current = default;
            bool started = false;
            while (NextKey(ref current, started))
            {
                started = true;
                yield return current;
            }
        }
    }

    /// <summary>Replaces <paramref name="key"/> by its successor (the first key when not <paramref name="started"/>).</summary>
    private bool NextKey<TKey>(ref TKey key, bool started) where TKey : unmanaged
    {
        TKey next = default;
        ReadOnlySpan<byte> previous = started ? Bytes(in key) : ReadOnlySpan<byte>.Empty;
        if (!TryGetNextKey(previous, MemoryMarshal.AsBytes(new Span<TKey>(ref next))))
            return false;
        key = next;
        return true;
    }
}
