using Kmesh.Bpf.Tests.Infrastructure;

namespace Kmesh.Bpf.Tests;

/// <summary>Open-time inspection: parsing an object needs no privileges and touches no kernel state.</summary>
public sealed class ObjectMetadataTests
{
    private static string Rewrite => KernelSandbox.ObjectPath("rewrite.bpf.o");

    [Fact]
    public void Open_lists_programs_with_section_type_and_attach_type()
    {
        using var obj = BpfObject.Open(Rewrite);

        Assert.Equal("rewrite", obj.Name);
        Assert.False(obj.IsLoaded);
        var program = Assert.Single(obj.Programs);
        Assert.Same(program, obj.Program("rewrite_connect4"));
        Assert.Equal("cgroup/connect4", program.SectionName);
        Assert.Equal(BpfProgramType.CgroupSockAddr, program.Type);
        Assert.Equal(BpfAttachType.CgroupInet4Connect, program.ExpectedAttachType);
        Assert.True(program.Autoload);
        Assert.False(program.IsLoaded);
    }

    [Fact]
    public void Open_lists_maps_with_their_shape()
    {
        using var obj = BpfObject.Open(Rewrite);

        var backends = obj.Map("backends");
        Assert.Equal(BpfMapType.Hash, backends.Type);
        Assert.Equal(4u, backends.KeySize);
        Assert.Equal(4u, backends.ValueSize);
        Assert.Equal(16u, backends.MaxEntries);
        Assert.False(backends.IsInternal);
        Assert.False(backends.IsCreated);

        var rewrites = obj.Map("rewrites");
        Assert.True(rewrites.IsPerCpu);
        Assert.Equal(8 * BpfMap.PossibleCpuCount, rewrites.ValueBufferSize);

        var rodata = Assert.Single(obj.Maps, m => m.IsInternal);
        Assert.Equal("rewrite.rodata", rodata.Name); // libbpf prefixes internal maps with the object name
        Assert.Same(rodata, obj.Map(".rodata"));   // and finds them by section name too
        Assert.Equal(8u, rodata.ValueSize);        // vip_host + target_host
    }

    [Fact]
    public void SetMaxEntries_before_load_changes_the_capacity()
    {
        using var obj = BpfObject.Open(Rewrite);
        obj.Map("backends").SetMaxEntries(1000);
        Assert.Equal(1000u, obj.Map("backends").MaxEntries);
    }

    [Fact]
    public void Object_name_can_be_overridden()
    {
        using var obj = BpfObject.Open(Rewrite, new BpfObjectOptions { ObjectName = "kmesh_test" });
        Assert.Equal("kmesh_test", obj.Name);
    }

    [Fact]
    public void Read_only_globals_are_found_through_BTF()
    {
        using var obj = BpfObject.Open(Rewrite);

        var vip = Assert.Single(obj.ReadOnlyGlobals, g => g.Name == "vip_host");
        Assert.Equal(".rodata", vip.Section);
        Assert.Equal(4u, vip.Size);
        Assert.Equal(0x7f4d0001u, obj.GetReadOnlyGlobal<uint>("vip_host"));
        Assert.True(obj.TryGetReadOnlyGlobal("target_host", out uint target));
        Assert.Equal(0x7f000001u, target);

        obj.SetReadOnlyGlobal("vip_host", 0x7f4d00feu);
        Assert.Equal(0x7f4d00feu, obj.GetReadOnlyGlobal<uint>("vip_host"));
        Assert.Equal(0x7f000001u, obj.GetReadOnlyGlobal<uint>("target_host")); // the neighbour is untouched
    }

    [Fact]
    public void Read_only_globals_of_other_sizes_round_trip()
    {
        using var obj = BpfObject.Open(KernelSandbox.ObjectPath("maps.bpf.o"));

        Assert.Equal(0x1122334455667788UL, obj.GetReadOnlyGlobal<ulong>("ro_wide"));
        Assert.Equal((ushort)7, obj.GetReadOnlyGlobal<ushort>("ro_small"));
        obj.SetReadOnlyGlobal("ro_small", (ushort)0xbeef);
        Assert.Equal((ushort)0xbeef, obj.GetReadOnlyGlobal<ushort>("ro_small"));
        Assert.Equal(0x1122334455667788UL, obj.GetReadOnlyGlobal<ulong>("ro_wide"));
    }

    [Fact]
    public void Read_only_globals_in_custom_sections_are_found()
    {
        using var obj = BpfObject.Open(KernelSandbox.ObjectPath("maps.bpf.o"));

        var custom = Assert.Single(obj.ReadOnlyGlobals, g => g.Name == "ro_custom");
        Assert.Equal(".rodata.custom", custom.Section);
        Assert.Equal(5u, obj.GetReadOnlyGlobal<uint>("ro_custom"));
        obj.SetReadOnlyGlobal("ro_custom", 6u);
        Assert.Equal(6u, obj.GetReadOnlyGlobal<uint>("ro_custom"));
        Assert.Equal((ushort)7, obj.GetReadOnlyGlobal<ushort>("ro_small"));
        Assert.True(obj.TryGetMap(".rodata.custom", out _));
    }

    [Fact]
    public void Unknown_names_and_wrong_sizes_give_clear_errors()
    {
        using var obj = BpfObject.Open(Rewrite);

        var noProgram = Assert.Throws<KeyNotFoundException>(() => obj.Program("nope"));
        Assert.Contains("rewrite_connect4", noProgram.Message);
        Assert.Throws<KeyNotFoundException>(() => obj.Map("nope"));
        var noGlobal = Assert.Throws<KeyNotFoundException>(() => obj.SetReadOnlyGlobal("nope", 1u));
        Assert.Contains("vip_host", noGlobal.Message);
        Assert.False(obj.TryGetReadOnlyGlobal("nope", out uint _));
        var wrongSize = Assert.Throws<ArgumentException>(() => obj.SetReadOnlyGlobal("vip_host", 1UL));
        Assert.Contains("4 bytes", wrongSize.Message);
    }

    [Fact]
    public void Map_and_program_use_before_load_is_refused()
    {
        using var obj = BpfObject.Open(Rewrite);

        Assert.Throws<InvalidOperationException>(() => obj.Map("backends").Update(1u, 2u));
        Assert.Throws<InvalidOperationException>(() => obj.Program("rewrite_connect4").DangerousGetFd());
    }

    [Fact]
    public void Missing_file_is_reported_before_libbpf()
    {
        Assert.Throws<FileNotFoundException>(() => BpfObject.Open("/nonexistent/x.bpf.o"));
    }

    [Fact]
    public void A_file_that_is_not_ELF_is_a_BpfException_with_libbpfs_words()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kmesh-not-elf-{Environment.ProcessId}.bpf.o");
        File.WriteAllText(path, "not an ELF file");
        try
        {
            var ex = Assert.Throws<BpfException>(() => BpfObject.Open(path));
            Assert.Equal("open", ex.Operation);
            Assert.NotEqual(0, ex.Errno);
            Assert.Contains(path, ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Libbpf_messages_reach_the_objects_logger()
    {
        var log = new ListLogger();
        using var obj = BpfObject.Open(Rewrite, new BpfObjectOptions { Logger = log });

        // libbpf's open-time debug output names the sections it parses.
        Assert.Contains(log.Lines, l => l.StartsWith("Debug: libbpf: ", StringComparison.Ordinal) && l.Contains("rewrite_connect4"));
        Assert.DoesNotContain(log.Lines, l => l.EndsWith('\n') || l.Contains("libbpf: libbpf:"));
    }
}
