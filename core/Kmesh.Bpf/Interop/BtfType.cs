using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Interop;

/// <summary>
/// <c>struct btf_type</c>; kind-specific records (members, var_secinfo, enum values) follow
/// it directly in memory, which is how <see cref="Records{T}"/> reaches them.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct BtfType
{
    public const uint KindInt = 1, KindStruct = 4, KindUnion = 5, KindEnum = 6, KindTypedef = 8,
        KindVolatile = 9, KindConst = 10, KindVar = 14, KindDatasec = 15, KindEnum64 = 19;

    public uint NameOff;
    public uint Info;
    /// <summary><c>size</c> for int/struct/union/enum/datasec, <c>type</c> for references.</summary>
    public uint SizeOrType;

    public readonly uint Kind => (Info >> 24) & 0x1f;
    public readonly int Vlen => (int)(Info & 0xffff);
    public readonly bool KindFlag => (Info >> 31) != 0;

    /// <summary>The vlen records that follow this header.</summary>
    public static ReadOnlySpan<T> Records<T>(BtfType* type) where T : unmanaged
        => new(type + 1, type->Vlen);
}

/// <summary><c>struct btf_member</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BtfMember
{
    public uint NameOff;
    public uint Type;
    /// <summary>Bit offset; with the struct's kind_flag, bitfield size in the top 8 bits.</summary>
    public uint Offset;
}

/// <summary><c>struct btf_var_secinfo</c>: one variable of a DATASEC.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BtfVarSecinfo
{
    public uint Type;
    public uint Offset;
    public uint Size;
}

/// <summary><c>struct btf_enum</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BtfEnum
{
    public uint NameOff;
    public int Val;
}

/// <summary><c>struct btf_enum64</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BtfEnum64
{
    public uint NameOff;
    public uint ValLo32;
    public uint ValHi32;
}
