using System.Runtime.CompilerServices;
using Kmesh.Bpf.Interop;

namespace Kmesh.Bpf;

/// <summary>
/// <c>const volatile</c> globals: they live in the <c>.rodata</c> (or <c>.rodata.*</c>) map, whose
/// initial image libbpf keeps in memory until Load freezes it into the kernel. The variable's
/// place in that image comes from the BTF DATASEC of the section.
/// </summary>
public sealed partial class BpfObject
{
    private BpfGlobalVariable[]? _readOnlyGlobals;

    /// <summary>Every variable of the object's read-only data sections.</summary>
    public IReadOnlyList<BpfGlobalVariable> ReadOnlyGlobals => _readOnlyGlobals ??= ScanReadOnlyGlobals();

    /// <summary>
    /// Sets a <c>const volatile</c> global before <see cref="Load"/>; the verifier then sees it
    /// as a constant, so dead branches are pruned.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such variable in a read-only section.</exception>
    /// <exception cref="ArgumentException">The variable's size is not <c>sizeof(T)</c>.</exception>
    /// <exception cref="InvalidOperationException">The object is already loaded (.rodata is frozen).</exception>
    public unsafe void SetReadOnlyGlobal<T>(string name, T value) where T : unmanaged
    {
        ThrowIfNotOpened($"Setting global '{name}'");
        var variable = FindGlobal(name) ?? throw NoSuchGlobal(name);
        bool added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            Unsafe.WriteUnaligned(GlobalAddress<T>(variable), value);
        }
        finally
        {
            _handle.DangerousRelease();
        }
    }

    /// <summary>
    /// Reads a <c>const volatile</c> global: its initial (or set) value before Load, the frozen
    /// value after. False when there is no such variable.
    /// </summary>
    /// <exception cref="ArgumentException">The variable's size is not <c>sizeof(T)</c>.</exception>
    public unsafe bool TryGetReadOnlyGlobal<T>(string name, out T value) where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        value = default;
        if (FindGlobal(name) is not { } variable)
            return false;
        bool added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            value = Unsafe.ReadUnaligned<T>(GlobalAddress<T>(variable));
        }
        finally
        {
            _handle.DangerousRelease();
        }
        return true;
    }

    /// <summary>Reads a <c>const volatile</c> global, throwing when it does not exist.</summary>
    public T GetReadOnlyGlobal<T>(string name) where T : unmanaged
        => TryGetReadOnlyGlobal<T>(name, out T value) ? value : throw NoSuchGlobal(name);

    private BpfGlobalVariable? FindGlobal(string name)
    {
        foreach (var v in ReadOnlyGlobals)
        {
            if (v.Name == name)
                return v;
        }
        return null;
    }

    private unsafe byte* GlobalAddress<T>(BpfGlobalVariable variable) where T : unmanaged
    {
        if (variable.Size != (uint)sizeof(T))
            throw new ArgumentException(
                $"Global '{variable.Name}' of object '{Name}' is {variable.Size} bytes, but {typeof(T).Name} is {sizeof(T)}.");
        nint obj = _handle.DangerousGetHandle();
        nint map = Libbpf.bpf_object__find_map_by_name(obj, variable.Section);
        nuint size = 0;
        byte* data = map == 0 ? null : Libbpf.bpf_map__initial_value(map, &size);
        if (data is null || variable.Offset + variable.Size > size)
            throw new InvalidOperationException(
                $"libbpf has no data image for section '{variable.Section}' of object '{Name}' (map missing or too small).");
        return data + variable.Offset;
    }

    private KeyNotFoundException NoSuchGlobal(string name) => new(
        $"Object '{Name}' has no const volatile global '{name}'; it has: " +
        $"{(ReadOnlyGlobals.Count == 0 ? "none" : string.Join(", ", ReadOnlyGlobals.Select(v => v.Name)))}.");

    private unsafe BpfGlobalVariable[] ScanReadOnlyGlobals()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        nint btf = Libbpf.bpf_object__btf(_handle.DangerousGetHandle());
        if (btf == 0)
            return [];
        var found = new List<BpfGlobalVariable>();
        uint count = Libbpf.btf__type_cnt(btf);
        for (uint id = 1; id < count; id++)
        {
            BtfType* sec = Libbpf.btf__type_by_id(btf, id);
            if (sec is null || sec->Kind != BtfType.KindDatasec)
                continue;
            string section = NativeString.Read(Libbpf.btf__name_by_offset(btf, sec->NameOff));
            if (section != ".rodata" && !section.StartsWith(".rodata.", StringComparison.Ordinal))
                continue;
            foreach (var info in BtfType.Records<BtfVarSecinfo>(sec))
            {
                BtfType* var = Libbpf.btf__type_by_id(btf, info.Type);
                if (var is null || var->Kind != BtfType.KindVar)
                    continue;
                string name = NativeString.Read(Libbpf.btf__name_by_offset(btf, var->NameOff));
                found.Add(new BpfGlobalVariable(name, section, info.Offset, info.Size));
            }
        }
        return [.. found];
    }
}
