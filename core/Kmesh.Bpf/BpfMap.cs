using System.Runtime.InteropServices;
using Kmesh.Bpf.Handles;
using Kmesh.Bpf.Interop;

namespace Kmesh.Bpf;

/// <summary>
/// A BPF map: either one of a <see cref="BpfObject"/>'s maps (valid while the object lives,
/// usable after Load) or a pinned map opened by path with <see cref="OpenPinned"/> (owns its fd;
/// dispose it). Element operations take spans and allocate nothing; every call holds a
/// reference on the fd's owner, so a concurrent Dispose cannot pull the fd from under it.
/// </summary>
public sealed partial class BpfMap : IDisposable
{
    private static int s_possibleCpus;

    private readonly BpfObject? _object;
    private readonly SafeHandle _lifetime;
    private readonly nint _map;
    private int _fd = -1;
    private volatile bool _batchUnsupported;
    private volatile bool _lookupBatchUnsupported;

    /// <summary>A map of an object: metadata from libbpf now, fd after the object loads.</summary>
    internal unsafe BpfMap(BpfObject owner, nint map)
    {
        _object = owner;
        _lifetime = owner.Handle;
        _map = map;
        Name = NativeString.Read(Libbpf.bpf_map__name(map));
        IsInternal = Libbpf.bpf_map__is_internal(map) != 0;
        RefreshFromLibbpf();
    }

    /// <summary>A standalone map around an owned fd (from bpf_obj_get).</summary>
    private BpfMap(SafeFdHandle fd, string name, BpfMapType type, uint keySize, uint valueSize, uint maxEntries, uint flags, string pinPath)
    {
        _lifetime = fd;
        _fd = fd.Fd;
        Name = name;
        SetShape(type, keySize, valueSize, maxEntries, flags);
        _pinnedFrom = pinPath;
    }

    /// <summary>The map's name (libbpf's; the kernel keeps only 15 characters for pinned maps opened by path).</summary>
    public string Name { get; }

    /// <summary>The map type.</summary>
    public BpfMapType Type { get; private set; }

    /// <summary>Key size in bytes.</summary>
    public uint KeySize { get; private set; }

    /// <summary>Value size in bytes, for one CPU on per-CPU maps.</summary>
    public uint ValueSize { get; private set; }

    /// <summary>Capacity (max_entries).</summary>
    public uint MaxEntries { get; private set; }

    /// <summary>The map_flags (BPF_F_*).</summary>
    public uint Flags { get; private set; }

    /// <summary>True for libbpf's internal maps (.rodata, .data, .bss, .kconfig).</summary>
    public bool IsInternal { get; }

    /// <summary>True for per-CPU maps, whose lookups return one value per possible CPU.</summary>
    public bool IsPerCpu => Type is BpfMapType.PerCpuHash or BpfMapType.PerCpuArray
        or BpfMapType.LruPerCpuHash or BpfMapType.PerCpuCgroupStorage;

    /// <summary>
    /// Bytes a value occupies in a syscall buffer: <see cref="ValueSize"/>, or for per-CPU maps
    /// ValueSize rounded up to 8 times <see cref="PossibleCpuCount"/>.
    /// </summary>
    public int ValueBufferSize { get; private set; }

    /// <summary>True once the map has a kernel fd (object loaded, or opened from a pin).</summary>
    public bool IsCreated => Volatile.Read(ref _fd) >= 0 && !_lifetime.IsClosed;

    /// <summary>The object that declares the map; null for a map opened from a pin.</summary>
    public BpfObject? Object => _object;

    /// <summary>The number of possible CPUs (libbpf_num_possible_cpus), the per-CPU value count.</summary>
    public static int PossibleCpuCount
    {
        get
        {
            int n = Volatile.Read(ref s_possibleCpus);
            if (n > 0)
                return n;
            n = Libbpf.libbpf_num_possible_cpus();
            if (n <= 0)
                throw new BpfException("count possible CPUs", "/sys/devices/system/cpu/possible", -n);
            Volatile.Write(ref s_possibleCpus, n);
            return n;
        }
    }

    /// <summary>The kernel's map id (as listed by bpftool); equal ids mean the same map.</summary>
    public uint Id => QueryInfo(this).Id;

    /// <summary>
    /// Makes this (not yet loaded) map use <paramref name="live"/>, a map of a loaded object,
    /// instead of creating its own: the new object's programs then see the live map's
    /// contents. This is how a plugin's state carries over when its object is replaced. The
    /// kernel checks the definitions agree when the object loads.
    /// </summary>
    public void ReuseFrom(BpfMap live)
    {
        ArgumentNullException.ThrowIfNull(live);
        if (_object is null)
            throw new InvalidOperationException($"Map '{Name}' was opened from a pin; it cannot adopt another map.");
        _object.ThrowIfNotOpened($"Reusing a map for '{Name}'");
        var owner = FdLease.AddRef(_lifetime);
        try
        {
            int rc = Libbpf.bpf_map__reuse_fd(_map, live.DangerousGetFd());
            if (rc < 0)
                throw new BpfException("reuse map fd", Target, -rc);
            RefreshFromLibbpf();
        }
        finally
        {
            owner.DangerousRelease();
        }
    }

    /// <summary>Changes the capacity before the object is loaded.</summary>
    /// <exception cref="InvalidOperationException">Not an object's map, or already loaded.</exception>
    public void SetMaxEntries(uint maxEntries)
    {
        if (_object is null)
            throw new InvalidOperationException($"Map '{Name}' was opened from a pin; its capacity is fixed.");
        _object.ThrowIfNotOpened($"Resizing map '{Name}'");
        var owner = FdLease.AddRef(_lifetime);
        try
        {
            int rc = Libbpf.bpf_map__set_max_entries(_map, maxEntries);
            if (rc < 0)
                throw new BpfException("set max_entries", Target, -rc);
            RefreshFromLibbpf();
        }
        finally
        {
            owner.DangerousRelease();
        }
    }

    /// <summary>
    /// The raw map fd, owned by the object or by this instance: do not close it, do not keep it
    /// past their lifetime. For the core's plumbing; prefer the typed operations.
    /// </summary>
    public int DangerousGetFd()
    {
        using var lease = Lease();
        return lease.Fd;
    }

    /// <summary>Closes the fd of a map opened with <see cref="OpenPinned"/>; no-op for an object's map.</summary>
    public void Dispose()
    {
        if (_object is null)
            _lifetime.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Type}, key {KeySize}, value {ValueSize}, max {MaxEntries})";

    internal string Target => $"map '{Name}'";

    internal nint Pointer => _map;

    internal void OnObjectLoaded()
    {
        RefreshFromLibbpf();
        Volatile.Write(ref _fd, Libbpf.bpf_map__fd(_map));
    }

    /// <summary>References the fd's owner and returns the fd; throws when there is no fd yet.</summary>
    internal FdLease Lease()
    {
        var owner = FdLease.AddRef(_lifetime);
        int fd = Volatile.Read(ref _fd);
        if (fd < 0)
        {
            owner.DangerousRelease();
            throw new InvalidOperationException(_object is { IsLoaded: false }
                ? $"Map '{Name}' has no kernel fd yet: load object '{_object.Name}' first."
                : $"Map '{Name}' was not created (autocreate off).");
        }
        return new FdLease(owner, fd);
    }

    private void RefreshFromLibbpf() => SetShape(
        (BpfMapType)Libbpf.bpf_map__type(_map), Libbpf.bpf_map__key_size(_map), Libbpf.bpf_map__value_size(_map),
        Libbpf.bpf_map__max_entries(_map), Libbpf.bpf_map__map_flags(_map));

    private void SetShape(BpfMapType type, uint keySize, uint valueSize, uint maxEntries, uint flags)
    {
        Type = type;
        KeySize = keySize;
        ValueSize = valueSize;
        MaxEntries = maxEntries;
        Flags = flags;
        ValueBufferSize = IsPerCpu ? (int)((valueSize + 7) & ~7u) * PossibleCpuCount : (int)valueSize;
    }

    private static unsafe BpfMapInfo QueryInfo(BpfMap map)
    {
        using var lease = map.Lease();
        return QueryInfo(lease.Fd, map.Target);
    }

    private static unsafe BpfMapInfo QueryInfo(int fd, string target)
    {
        BpfMapInfo info = default;
        uint len = (uint)sizeof(BpfMapInfo);
        int rc = Libbpf.bpf_obj_get_info_by_fd(fd, &info, &len);
        if (rc < 0)
            throw new BpfException("get map info", target, -rc);
        return info;
    }
}
