using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Kmesh.Xds;

/// <summary>
/// What a piece of content is known by in memory, to tell "the same bytes as last time" without
/// keeping them: XXH3's 128 bits, keyed with a seed drawn once per process. Every change at 10 000
/// services hashes the whole content again (a SotW push's 10 000 bodies, a 20 MB resource file's
/// 30 000 items), so this runs at memory speed in managed code; SHA-256 cost tens of milliseconds a
/// change there. Not for anything kept across processes or shown to users (a file's version is the
/// unseeded XXH128 of its bytes, see <see cref="ConfigText.ReadHashed"/>): the seed differs from one
/// process to the next, which is also why a config author cannot prepare two texts that collide for
/// a daemon.
/// </summary>
internal static class ContentHash
{
    private static readonly long Seed = Random.Shared.NextInt64();

    /// <summary>The hash of <paramref name="bytes"/>.</summary>
    public static UInt128 Of(ReadOnlySpan<byte> bytes) => XxHash128.HashToUInt128(bytes, Seed);

    /// <summary>The hash of <paramref name="text"/>'s UTF-16 code units; equal text, equal hash.</summary>
    public static UInt128 Of(ReadOnlySpan<char> text) => Of(MemoryMarshal.AsBytes(text));

    /// <summary>A hash of a sequence of texts, each with its length, so that no two sequences share their concatenation's hash by construction.</summary>
    public sealed class Sequence
    {
        private readonly XxHash128 _hash = new(Seed);

        /// <summary>Adds <paramref name="text"/> to the sequence.</summary>
        public Sequence Append(ReadOnlySpan<char> text)
        {
            Span<byte> length = stackalloc byte[sizeof(int)];
            BinaryPrimitives.WriteInt32LittleEndian(length, text.Length);
            _hash.Append(length);
            _hash.Append(MemoryMarshal.AsBytes(text));
            return this;
        }

        /// <summary>The hash of what was appended so far.</summary>
        public UInt128 Value => _hash.GetCurrentHashAsUInt128();
    }
}
