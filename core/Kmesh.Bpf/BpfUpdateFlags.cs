namespace Kmesh.Bpf;

/// <summary>Flags of a map update (<c>BPF_ANY</c>, <c>BPF_NOEXIST</c>, <c>BPF_EXIST</c>, <c>BPF_F_LOCK</c>).</summary>
[Flags]
public enum BpfUpdateFlags : ulong
{
    /// <summary>Create the element or overwrite it.</summary>
    Any = 0,

    /// <summary>Create only: fails with EEXIST when the key is present.</summary>
    NoExist = 1,

    /// <summary>Overwrite only: fails with ENOENT when the key is absent.</summary>
    Exist = 2,

    /// <summary>Take the value's bpf_spin_lock while writing.</summary>
    Lock = 4,
}
