namespace Kmesh.Sdk.Translation;

/// <summary>The bytes of one map key, compared by content; hashed once.</summary>
public readonly struct MapKey : IEquatable<MapKey>
{
    private readonly byte[] _bytes;
    private readonly int _hash;

    /// <summary>Wraps key bytes; the array must not be changed afterwards.</summary>
    public MapKey(byte[] bytes)
    {
        _bytes = bytes ?? throw new ArgumentNullException(nameof(bytes));
        var hash = new HashCode();
        hash.AddBytes(bytes);
        _hash = hash.ToHashCode();
    }

    /// <summary>The key as the kernel map stores it.</summary>
    public ReadOnlySpan<byte> Span => _bytes;

    /// <summary>The backing array (not to be changed).</summary>
    public byte[] Bytes => _bytes;

    /// <inheritdoc />
    public bool Equals(MapKey other) => _hash == other._hash && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MapKey other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _hash;

    /// <inheritdoc />
    public override string ToString() => Convert.ToHexString(_bytes);
}
