using System.Runtime.InteropServices;
using Kmesh.Bpf.Tests.Infrastructure;

namespace Kmesh.Bpf.Tests;

/// <summary>Map operations against real kernel maps (Programs/maps.bpf.c).</summary>
public sealed class MapTests : IDisposable
{
    private const int EEXIST = 17, ENOENT = 2, E2BIG = 7, EINVAL = 22;

    private readonly KernelSandbox _sandbox = new();
    private readonly BpfObject _obj;

    public MapTests()
    {
        _obj = BpfObject.Open(KernelSandbox.ObjectPath("maps.bpf.o"), _sandbox.Options());
    }

    [StructLayout(LayoutKind.Sequential)]
    private record struct KvValue(ulong A, uint B, uint C);

    [StructLayout(LayoutKind.Sequential)]
    private record struct LpmKey(uint PrefixLen, uint Addr);

    [KernelFact]
    public void Typed_crud_honours_update_flags()
    {
        _obj.Load();
        var kv = _obj.Map("kv");

        kv.Update(1u, new KvValue(10, 11, 12));
        Assert.True(kv.TryLookup(1u, out KvValue value));
        Assert.Equal(new KvValue(10, 11, 12), value);
        Assert.True(kv.ContainsKey(1u));

        var exists = Assert.Throws<BpfException>(() => kv.Update(1u, new KvValue(), BpfUpdateFlags.NoExist));
        Assert.Equal(EEXIST, exists.Errno);
        Assert.Contains("kv", exists.Message);
        var missing = Assert.Throws<BpfException>(() => kv.Update(2u, new KvValue(), BpfUpdateFlags.Exist));
        Assert.Equal(ENOENT, missing.Errno);

        kv.Update(1u, new KvValue(20, 21, 22), BpfUpdateFlags.Exist);
        Assert.True(kv.TryLookup(1u, out value));
        Assert.Equal(20UL, value.A);

        Assert.True(kv.Delete(1u));
        Assert.False(kv.Delete(1u));
        Assert.False(kv.TryLookup(1u, out value));
        Assert.Equal(default, value);
    }

    [KernelFact]
    public void Span_operations_check_sizes()
    {
        _obj.Load();
        var kv = _obj.Map("kv");
        Span<byte> key = stackalloc byte[4];
        Span<byte> value = stackalloc byte[16];
        key[0] = 9;
        value[0] = 0x42;

        kv.Update(key, value);
        Span<byte> read = stackalloc byte[16];
        Assert.True(kv.TryLookup(key, read));
        Assert.Equal(0x42, read[0]);

        byte[] longKey = new byte[8], shortValue = new byte[8];
        Assert.Throws<ArgumentException>(() => kv.Update(longKey, new byte[16]));
        Assert.Throws<ArgumentException>(() => kv.Update(new byte[4], shortValue));
        Assert.Throws<ArgumentException>(() => kv.Update(1UL, new KvValue()));
    }

    [KernelFact]
    public void Element_operations_do_not_allocate()
    {
        _obj.Load();
        var kv = _obj.Map("kv");
        var pcpu = _obj.Map("pcpu");
        uint[] cpuValues = new uint[BpfMap.PossibleCpuCount];
        Span<byte> key = stackalloc byte[4];
        Span<byte> value = stackalloc byte[16];
        Span<byte> scratch = stackalloc byte[8];

        void Round(Span<byte> key, Span<byte> value, Span<byte> scratch)
        {
            for (uint k = 0; k < 32; k++)
            {
                kv.Update(k, new KvValue(k, 1, 2));
                kv.TryLookup(k, out KvValue _);
                MemoryMarshal.Write(key, in k);
                kv.Update(key, value);
                kv.TryLookup(key, value);
            }
            foreach (ReadOnlySpan<byte> _ in kv.EnumerateKeys(scratch))
            {
            }
            pcpu.UpdatePerCpu<uint, uint>(1u, cpuValues);
            pcpu.TryLookupPerCpu<uint, uint>(1u, cpuValues);
            for (uint k = 0; k < 32; k++)
                kv.Delete(k);
        }

        Round(key, value, scratch); // warm-up: JIT, static caches
        long before = GC.GetAllocatedBytesForCurrentThread();
        Round(key, value, scratch);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [KernelFact]
    public void Keys_are_enumerated_without_and_with_types()
    {
        _obj.Load();
        var kv = _obj.Map("kv");
        for (uint k = 100; k < 110; k++)
            kv.Update(k, new KvValue(k, 0, 0));

        var seen = new HashSet<uint>();
        foreach (ReadOnlySpan<byte> key in kv.EnumerateKeys(stackalloc byte[8]))
            seen.Add(MemoryMarshal.Read<uint>(key));
        Assert.Equal(Enumerable.Range(100, 10).Select(i => (uint)i).ToHashSet(), seen);
        Assert.Equal(seen, kv.Keys<uint>().ToHashSet());

        Assert.Empty(_obj.Map("lpm").Keys<LpmKey>());
    }

    [KernelFact]
    public void Batch_update_and_delete_on_a_hash_map()
    {
        _obj.Load();
        var kv = _obj.Map("kv");
        uint[] keys = [.. Enumerable.Range(1, 20).Select(i => (uint)i)];
        KvValue[] values = [.. keys.Select(k => new KvValue(k * 100, k, 0))];

        Assert.Equal(20, kv.UpdateBatch<uint, KvValue>(keys, values));
        Assert.True(kv.TryLookup(17u, out KvValue v17));
        Assert.Equal(1700UL, v17.A);

        // Absent keys (50, 51) in the middle are skipped, not fatal.
        uint[] delete = [1, 2, 50, 3, 4, 5, 51, 6, 7, 8, 9, 10];
        Assert.Equal(10, kv.DeleteBatch<uint>(delete));
        Assert.Equal(Enumerable.Range(11, 10).Select(i => (uint)i).ToHashSet(), kv.Keys<uint>().ToHashSet());
    }

    [KernelFact]
    public void Batch_falls_back_to_single_elements_where_unsupported()
    {
        _obj.Load();
        var lpm = _obj.Map("lpm");
        LpmKey[] keys = [new(32, 0x0100007f), new(24, 0x0000000a), new(16, 0x0000a8c0)];
        uint[] values = [1, 2, 3];

        Assert.Equal(3, lpm.UpdateBatch<LpmKey, uint>(keys, values));
        Assert.True(lpm.TryLookup(new LpmKey(32, 0x0100007f), out uint one));
        Assert.Equal(1u, one);
        Assert.Equal(3, lpm.DeleteBatch<LpmKey>(keys));
        Assert.Empty(lpm.Keys<LpmKey>());
    }

    [KernelFact]
    public void Array_maps_report_out_of_range_and_undeletable()
    {
        _obj.Load();
        var arr = _obj.Map("arr");

        arr.Update(3u, 42UL);
        Assert.True(arr.TryLookup(3u, out ulong v));
        Assert.Equal(42UL, v);
        Assert.True(arr.TryLookup(0u, out v)); // array slots always exist
        Assert.Equal(0UL, v);
        Assert.False(arr.TryLookup(4u, out v));

        var beyond = Assert.Throws<BpfException>(() => arr.Update(4u, 1UL));
        Assert.IsNotType<BpfMapFullException>(beyond);
        Assert.Equal(E2BIG, beyond.Errno);
        Assert.Equal(EINVAL, Assert.Throws<BpfException>(() => arr.Delete(3u)).Errno);

        Assert.Equal(4, arr.UpdateBatch<uint, ulong>([0u, 1u, 2u, 3u], [5UL, 6UL, 7UL, 8UL]));
        Assert.True(arr.TryLookup(2u, out v));
        Assert.Equal(7UL, v);
    }

    [KernelFact]
    public void Lookup_batch_reads_every_element_across_batches()
    {
        _obj.Load();
        var arr = _obj.Map("arr");
        arr.UpdateBatch<uint, ulong>([0u, 1u, 2u, 3u], [5UL, 6UL, 7UL, 8UL]);
        var seen = new Dictionary<uint, ulong>();
        var batches = new List<int>();
        // 3 a batch: the second call goes on from the first's position.
        int read = arr.LookupBatch(3, (keys, values, count) =>
        {
            batches.Add(count);
            for (int i = 0; i < count; i++)
                seen.Add(BitConverter.ToUInt32(keys[(i * 4)..]), BitConverter.ToUInt64(values[(i * 8)..]));
        });
        Assert.Equal(4, read);
        Assert.Equal([3, 1], batches);
        Assert.Equal(new Dictionary<uint, ulong> { [0] = 5, [1] = 6, [2] = 7, [3] = 8 }, seen);

        // Per CPU: each value is every CPU's copy, each padded to 8 bytes.
        var pcpu = _obj.Map("pcpu");
        int cpus = BpfMap.PossibleCpuCount;
        uint[] cpuValues = [.. Enumerable.Range(0, cpus).Select(i => (uint)(i + 100))];
        pcpu.UpdatePerCpu<uint, uint>(1u, cpuValues);
        pcpu.UpdatePerCpu<uint, uint>(2u, cpuValues);
        var perCpu = new Dictionary<uint, uint>();
        Assert.Equal(2, pcpu.LookupBatch(8, (keys, values, count) =>
        {
            for (int i = 0; i < count; i++)
                perCpu.Add(BitConverter.ToUInt32(keys[(i * 4)..]), BitConverter.ToUInt32(values[(i * 8 * cpus + 8 * (cpus - 1))..]));
        }));
        Assert.Equal(new Dictionary<uint, uint> { [1] = cpuValues[^1], [2] = cpuValues[^1] }, perCpu);
    }

    [KernelFact]
    public void Per_cpu_values_round_trip_for_every_cpu()
    {
        _obj.Load();
        var pcpu = _obj.Map("pcpu");
        int cpus = BpfMap.PossibleCpuCount;
        Assert.Equal(8 * cpus, pcpu.ValueBufferSize); // 4-byte values padded to 8 per CPU

        uint[] values = [.. Enumerable.Range(0, cpus).Select(i => (uint)(i * 10 + 1))];
        pcpu.UpdatePerCpu<uint, uint>(5u, values);

        Assert.Equal(values, pcpu.LookupPerCpu<uint, uint>(5u));
        Span<uint> read = stackalloc uint[cpus];
        Assert.True(pcpu.TryLookupPerCpu(5u, read));
        Assert.Equal(values, read.ToArray());
        Assert.Empty(pcpu.LookupPerCpu<uint, uint>(6u));
        Assert.Empty(pcpu.LookupPerCpu(6u));
        byte[][] rawPerCpu = pcpu.LookupPerCpu(5u);
        Assert.Equal(cpus, rawPerCpu.Length);
        Assert.All(rawPerCpu, v => Assert.Equal(4, v.Length)); // padding dropped
        Assert.Equal(values[^1], BitConverter.ToUInt32(rawPerCpu[^1]));
        Assert.Throws<InvalidOperationException>(() => pcpu.TryLookup(5u, out uint _));

        // The raw view: CPU i's value at offset 8 * i.
        byte[] raw = new byte[pcpu.ValueBufferSize];
        Assert.True(pcpu.TryLookup(BitConverter.GetBytes(5u), raw));
        Assert.Equal(values[^1], BitConverter.ToUInt32(raw, 8 * (cpus - 1)));
    }

    [KernelFact]
    public void A_full_map_names_itself_and_its_capacity()
    {
        _obj.Map("kv").SetMaxEntries(3);
        _obj.Load();
        var kv = _obj.Map("kv");
        for (uint k = 0; k < 3; k++)
            kv.Update(k, new KvValue());

        var full = Assert.Throws<BpfMapFullException>(() => kv.Update(3u, new KvValue()));
        Assert.Equal("kv", full.MapName);
        Assert.Equal(3u, full.Capacity);
        Assert.Equal(E2BIG, full.Errno);
        Assert.Contains("'kv'", full.Message);
        Assert.Contains("3 entries", full.Message);

        kv.Update(2u, new KvValue(1, 1, 1)); // overwriting needs no room

        Assert.True(kv.Delete(0u));
        var batchFull = Assert.Throws<BpfMapFullException>(() => kv.UpdateBatch<uint, KvValue>([10u, 11u], [new(), new()]));
        Assert.Equal("kv", batchFull.MapName);
        Assert.True(kv.ContainsKey(10u)); // the elements before the full one were written
    }

    [KernelFact]
    public void A_disposed_object_makes_its_maps_unusable()
    {
        _obj.Load();
        var kv = _obj.Map("kv");
        Assert.True(kv.IsCreated);
        _obj.Dispose();

        Assert.False(kv.IsCreated);
        Assert.Throws<ObjectDisposedException>(() => kv.Update(1u, new KvValue()));
    }

    [KernelFact]
    public void Globals_read_after_load_give_the_frozen_value()
    {
        _obj.SetReadOnlyGlobal("ro_small", (ushort)99);
        _obj.Load();
        Assert.Equal((ushort)99, _obj.GetReadOnlyGlobal<ushort>("ro_small"));
        Assert.Throws<InvalidOperationException>(() => _obj.SetReadOnlyGlobal("ro_small", (ushort)1));
    }

    public void Dispose()
    {
        _obj.Dispose();
        _sandbox.Dispose();
    }
}
