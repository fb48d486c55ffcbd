using Kmesh.Bpf.Tests.Infrastructure;

namespace Kmesh.Bpf.Tests;

/// <summary>Pinned maps: LIBBPF_PIN_BY_NAME sharing between objects, explicit pins, bpffs folders.</summary>
public sealed class PinningTests
{
    private const int ENOENT = 2;

    [KernelFact]
    public void Two_objects_share_a_map_pinned_by_name()
    {
        using var sandbox = new KernelSandbox();
        string pinPath = Path.Combine(sandbox.PinRoot, "shared_counters");
        using var a = BpfObject.Open(KernelSandbox.ObjectPath("pinned_a.bpf.o"), sandbox.Options());
        a.Load();
        Assert.True(File.Exists(pinPath));
        Assert.Equal(pinPath, a.Map("shared_counters").PinPath);
        a.Map("shared_counters").Update(7u, 70u);

        using var b = BpfObject.Open(KernelSandbox.ObjectPath("pinned_b.bpf.o"), sandbox.Options());
        b.Load();

        Assert.Equal(a.Map("shared_counters").Id, b.Map("shared_counters").Id);
        Assert.NotEqual(a.Map("private_a").Id, b.Map("private_b").Id);
        Assert.True(b.Map("shared_counters").TryLookup(7u, out uint seven));
        Assert.Equal(70u, seven);
        b.Map("shared_counters").Update(8u, 80u);
        Assert.True(a.Map("shared_counters").TryLookup(8u, out uint eight));
        Assert.Equal(80u, eight);
    }

    [KernelFact]
    public void A_pinned_map_opened_by_path_outlives_the_objects()
    {
        using var sandbox = new KernelSandbox();
        string pinPath = Path.Combine(sandbox.PinRoot, "shared_counters");
        uint id;
        using (var a = BpfObject.Open(KernelSandbox.ObjectPath("pinned_a.bpf.o"), sandbox.Options()))
        {
            a.Load();
            a.Map("shared_counters").Update(1u, 11u);
            id = a.Map("shared_counters").Id;
        }

        using var map = BpfMap.OpenPinned(pinPath);

        Assert.Null(map.Object);
        Assert.Equal("shared_counters", map.Name);
        Assert.Equal(BpfMapType.Hash, map.Type);
        Assert.Equal(4u, map.KeySize);
        Assert.Equal(4u, map.ValueSize);
        Assert.Equal(8u, map.MaxEntries);
        Assert.Equal(id, map.Id);
        Assert.Equal(pinPath, map.PinPath);
        Assert.True(map.TryLookup(1u, out uint v));
        Assert.Equal(11u, v);
        map.Update(2u, 22u);
        Assert.Equal([1u, 2u], map.Keys<uint>().Order());

        map.Dispose();
        Assert.Throws<ObjectDisposedException>(() => map.TryLookup(1u, out uint _));
    }

    [KernelFact]
    public void Explicit_pin_and_unpin()
    {
        using var sandbox = new KernelSandbox();
        using var obj = BpfObject.Open(KernelSandbox.ObjectPath("maps.bpf.o"), sandbox.Options());
        obj.Load();
        var kv = obj.Map("kv");
        string path = Path.Combine(sandbox.PinRoot, "kv-explicit");

        kv.Pin(path);
        Assert.True(File.Exists(path));
        using (var reopened = BpfMap.OpenPinned(path))
        {
            Assert.Equal(kv.Id, reopened.Id);
            reopened.Pin(path + "-again"); // a map opened by path can be pinned elsewhere too
        }
        Assert.True(File.Exists(path + "-again"));

        kv.Unpin(path);
        Assert.False(File.Exists(path));
        using (var again = BpfMap.OpenPinned(path + "-again"))
            again.Unpin();
        Assert.False(File.Exists(path + "-again"));

        var missing = Assert.Throws<BpfException>(() => BpfMap.OpenPinned(path));
        Assert.Equal(ENOENT, missing.Errno);
    }

    [KernelFact]
    public void Pin_folders_are_created_and_removed_recursively()
    {
        using var sandbox = new KernelSandbox();
        string nested = Path.Combine(sandbox.PinRoot, "a", "b");
        PinFolder.Create(nested);
        Assert.True(PinFolder.IsOnBpffs(nested));
        using (var obj = BpfObject.Open(KernelSandbox.ObjectPath("pinned_a.bpf.o"), new BpfObjectOptions { PinRoot = nested }))
            obj.Load();
        Assert.True(File.Exists(Path.Combine(nested, "shared_counters")));

        PinFolder.Remove(Path.Combine(sandbox.PinRoot, "a"));

        Assert.False(Directory.Exists(Path.Combine(sandbox.PinRoot, "a")));
        PinFolder.Remove(Path.Combine(sandbox.PinRoot, "a")); // idempotent
        Assert.Throws<InvalidOperationException>(() => PinFolder.Create("/tmp/kmesh-not-bpffs"));
        Assert.Throws<InvalidOperationException>(() => PinFolder.Remove("/tmp"));
    }

    [KernelFact]
    public void Pinned_programs_are_not_maps()
    {
        using var sandbox = new KernelSandbox();
        using var obj = BpfObject.Open(KernelSandbox.ObjectPath("rewrite.bpf.o"), sandbox.Options());
        obj.Load();
        using var cgroup = CgroupHandle.Open(sandbox.CgroupPath);
        using var link = obj.Program("rewrite_connect4").AttachCgroup(cgroup);
        string linkPath = Path.Combine(sandbox.PinRoot, "link");
        link.Pin(linkPath);

        Assert.Throws<InvalidOperationException>(() => BpfMap.OpenPinned(linkPath));
        using (var reopened = BpfLink.OpenPinned(linkPath))
            Assert.True(reopened.DangerousGetFd() >= 0);
        link.Unpin();
        Assert.False(File.Exists(linkPath));
    }
}
