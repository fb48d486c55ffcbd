using System.Text;

namespace Kmesh.Plugins.LoadBalance;

/// <summary>
/// A 64-bit hash of a string that is the same in every process and release (unlike
/// string.GetHashCode): consistent-hash tables must come out identical after a daemon
/// restart, or every client would move. FNV-1a over UTF-8, then splitmix64's finalizer so
/// that nearby inputs ("10.0.0.1:80_1", "_2") land far apart.
/// </summary>
internal static class StableHash
{
    public static ulong Of(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return Mix(hash);
    }

    public static ulong Mix(ulong h)
    {
        h ^= h >> 30;
        h *= 0xbf58476d1ce4e5b9UL;
        h ^= h >> 27;
        h *= 0x94d049bb133111ebUL;
        h ^= h >> 31;
        return h;
    }
}
