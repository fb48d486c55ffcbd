namespace Kmesh.Bpf;

/// <summary>
/// Walks a map's keys with get-next-key into a caller-provided scratch buffer: no allocation.
/// <see cref="Current"/> is valid until the next <see cref="MoveNext"/>. Use with foreach:
/// <c>foreach (ReadOnlySpan&lt;byte&gt; key in map.EnumerateKeys(stackalloc byte[2 * keySize]))</c>.
/// </summary>
public ref struct BpfMapKeyEnumerator
{
    private readonly BpfMap _map;
    private readonly Span<byte> _a;
    private readonly Span<byte> _b;
    private bool _started;
    private bool _currentIsA;

    internal BpfMapKeyEnumerator(BpfMap map, Span<byte> scratch)
    {
        int ks = (int)map.KeySize;
        if (scratch.Length < 2 * ks)
            throw new ArgumentException($"Scratch holds {scratch.Length} bytes; enumerating map '{map.Name}' needs {2 * ks}.", nameof(scratch));
        _map = map;
        _a = scratch[..ks];
        _b = scratch.Slice(ks, ks);
    }

    /// <summary>The current key.</summary>
    public readonly ReadOnlySpan<byte> Current => _currentIsA ? _a : _b;

    /// <summary>Returns itself, for foreach.</summary>
    public readonly BpfMapKeyEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next key; false at the end.</summary>
    public bool MoveNext()
    {
        // Alternate between two halves: the previous key must stay intact while the next is written.
        ReadOnlySpan<byte> previous = _started ? Current : ReadOnlySpan<byte>.Empty;
        Span<byte> next = _currentIsA ? _b : _a;
        if (!_map.TryGetNextKey(previous, next))
            return false;
        _started = true;
        _currentIsA = !_currentIsA;
        return true;
    }
}
