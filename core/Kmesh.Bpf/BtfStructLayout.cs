namespace Kmesh.Bpf;

/// <summary>A struct's layout read from BTF: total size and members in declaration order.</summary>
/// <param name="Name">The struct name.</param>
/// <param name="Size">sizeof, in bytes.</param>
/// <param name="Members">The members.</param>
public sealed record BtfStructLayout(string Name, int Size, IReadOnlyList<BtfMemberLayout> Members)
{
    /// <summary>The member called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such member.</exception>
    public BtfMemberLayout Member(string name)
    {
        foreach (var m in Members)
        {
            if (m.Name == name)
                return m;
        }
        throw new KeyNotFoundException($"struct {Name} has no member '{name}'; it has: {string.Join(", ", Members.Select(m => m.Name))}.");
    }
}
