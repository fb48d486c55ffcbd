namespace Kmesh.Bpf;

/// <summary>
/// Slots of a <c>BPF_MAP_TYPE_PROG_ARRAY</c>, the jump table of tail calls. The kernel accepts a
/// program only if its type and expected attach type match the array's first user. Note that
/// the kernel empties a prog array when its last user-space reference (fd or pin) goes away,
/// even if programs still use it: keep the owning object open or the map pinned.
/// </summary>
public sealed class ProgramArray
{
    /// <summary>Wraps <paramref name="map"/>, which must be a prog array.</summary>
    /// <exception cref="ArgumentException">The map is not a prog array.</exception>
    public ProgramArray(BpfMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Type != BpfMapType.ProgArray)
            throw new ArgumentException($"Map '{map.Name}' is a {map.Type}, not a ProgArray.", nameof(map));
        Map = map;
    }

    /// <summary>The underlying map.</summary>
    public BpfMap Map { get; }

    /// <summary>The number of slots.</summary>
    public uint Capacity => Map.MaxEntries;

    /// <summary>Points <paramref name="slot"/> at <paramref name="program"/> (atomically replacing any previous one).</summary>
    /// <exception cref="BpfException">Slot out of range, or the program is incompatible (EINVAL).</exception>
    public void Set(uint slot, BpfProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        // The value written is the program fd; the lease keeps it open for the syscall.
        using var lease = program.Lease();
        int fd = lease.Fd;
        Map.Update(BpfMap.Bytes(in slot), BpfMap.Bytes(in fd));
    }

    /// <summary>Empties <paramref name="slot"/>; false when it was already empty.</summary>
    public bool Clear(uint slot) => Map.Delete(BpfMap.Bytes(in slot));

    /// <summary>The id of the program in <paramref name="slot"/> (the kernel reports ids, not fds).</summary>
    public bool TryGetProgramId(uint slot, out uint programId)
    {
        programId = 0;
        return Map.TryLookup(BpfMap.Bytes(in slot), System.Runtime.InteropServices.MemoryMarshal.AsBytes(new Span<uint>(ref programId)));
    }
}
