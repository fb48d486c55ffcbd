using System.Runtime.InteropServices;
using Kmesh.Bpf.Handles;
using Kmesh.Bpf.Interop;

namespace Kmesh.Bpf;

/// <summary>
/// Reads type layouts from the BTF of a compiled <c>.bpf.o</c>, so tests can hold C# mirrors of
/// ABI structs against what clang actually produced. Needs no privileges.
/// </summary>
public static class BtfLayout
{
    /// <summary>The layout of <c>struct <paramref name="structName"/></c> (or of a typedef naming a struct).</summary>
    /// <exception cref="KeyNotFoundException">The object's BTF has no such struct.</exception>
    /// <exception cref="NotSupportedException">The struct has bitfields.</exception>
    public static BtfStructLayout GetStruct(string objectPath, string structName)
        => TryGetStruct(objectPath, structName, out var layout) ? layout
            : throw new KeyNotFoundException($"'{objectPath}' has no BTF for struct {structName} (is it used by a map or program?).");

    /// <summary>Like <see cref="GetStruct"/>, but false when the struct is absent.</summary>
    public static unsafe bool TryGetStruct(string objectPath, string structName,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BtfStructLayout? layout)
    {
        using var btfHandle = Parse(objectPath);
        nint btf = btfHandle.DangerousGetHandle();
        layout = null;
        BtfType* type = Find(btf, structName, BtfType.KindStruct);
        if (type is null)
            type = Find(btf, structName, BtfType.KindUnion);
        if (type is null)
            type = Resolve(btf, Find(btf, structName, BtfType.KindTypedef));
        if (type is null || (type->Kind != BtfType.KindStruct && type->Kind != BtfType.KindUnion))
            return false;

        var members = new List<BtfMemberLayout>();
        foreach (var m in BtfType.Records<BtfMember>(type))
        {
            string name = NativeString.Read(Libbpf.btf__name_by_offset(btf, m.NameOff));
            uint bitOffset = type->KindFlag ? m.Offset & 0xffffff : m.Offset;
            uint bitfieldSize = type->KindFlag ? m.Offset >> 24 : 0;
            if (bitfieldSize != 0 || bitOffset % 8 != 0)
                throw new NotSupportedException($"struct {structName} member '{name}' is a bitfield; BtfLayout does not describe bitfields.");
            long size = Libbpf.btf__resolve_size(btf, m.Type);
            if (size < 0)
                throw new BpfException("resolve BTF size", $"struct {structName} member '{name}'", (int)-size);
            members.Add(new BtfMemberLayout(name, (int)(bitOffset / 8), (int)size));
        }
        layout = new BtfStructLayout(structName, (int)type->SizeOrType, members);
        return true;
    }

    /// <summary>The enumerators of <c>enum <paramref name="enumName"/></c>, by name.</summary>
    /// <exception cref="KeyNotFoundException">The object's BTF has no such enum (clang emits only enums it saw used).</exception>
    public static unsafe IReadOnlyDictionary<string, long> GetEnum(string objectPath, string enumName)
    {
        using var btfHandle = Parse(objectPath);
        nint btf = btfHandle.DangerousGetHandle();
        var values = new Dictionary<string, long>();
        BtfType* e32 = Find(btf, enumName, BtfType.KindEnum), e64 = Find(btf, enumName, BtfType.KindEnum64);
        if (e32 is not null)
        {
            foreach (var v in BtfType.Records<BtfEnum>(e32))
                values[NativeString.Read(Libbpf.btf__name_by_offset(btf, v.NameOff))] = v.Val;
        }
        else if (e64 is not null)
        {
            foreach (var v in BtfType.Records<BtfEnum64>(e64))
                values[NativeString.Read(Libbpf.btf__name_by_offset(btf, v.NameOff))] = (long)(((ulong)v.ValHi32 << 32) | v.ValLo32);
        }
        else
        {
            throw new KeyNotFoundException($"'{objectPath}' has no BTF for enum {enumName}.");
        }
        return values;
    }

    private static unsafe SafeBtfHandle Parse(string objectPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(objectPath);
        if (!File.Exists(objectPath))
            throw new FileNotFoundException($"eBPF object file '{objectPath}' does not exist.", objectPath);
        LibbpfPrint.EnsureInstalled();
        nint btf = Libbpf.btf__parse_elf(objectPath, null);
        if (btf == 0)
            throw new BpfException("parse BTF", $"'{objectPath}'", Marshal.GetLastPInvokeError(), "Compile with -g to emit BTF.");
        return new SafeBtfHandle(btf);
    }

    private static unsafe BtfType* Find(nint btf, string name, uint kind)
    {
        int id = Libbpf.btf__find_by_name_kind(btf, name, kind);
        return id > 0 ? Libbpf.btf__type_by_id(btf, (uint)id) : null;
    }

    /// <summary>Follows typedef/const/volatile to the underlying type.</summary>
    private static unsafe BtfType* Resolve(nint btf, BtfType* type)
    {
        for (int hops = 0; type is not null && hops < 32; hops++)
        {
            if (type->Kind is not (BtfType.KindTypedef or BtfType.KindConst or BtfType.KindVolatile))
                return type;
            type = Libbpf.btf__type_by_id(btf, type->SizeOrType);
        }
        return null;
    }
}
