using Kmesh.Bpf.Tests.Infrastructure;

namespace Kmesh.Bpf.Tests;

/// <summary>
/// End to end through real sockets: a cgroup/connect4 program rewrites VIP:port to a loopback
/// backend for processes in the test's cgroup, and only for them.
/// </summary>
public sealed class ConnectRewriteTests
{
    private static string Rewrite => KernelSandbox.ObjectPath("rewrite.bpf.o");

    [KernelFact]
    public void Connect_is_rewritten_inside_the_cgroup_only_and_detached_on_dispose()
    {
        using var sandbox = new KernelSandbox();
        using var direct = new MarkerServer("127.77.0.1", "direct");
        using var backend = new MarkerServer("127.0.0.1", "backend");
        using var obj = BpfObject.Open(Rewrite, sandbox.Options());
        obj.Load();
        obj.Map("backends").Update((uint)direct.Port, (uint)backend.Port);
        var program = obj.Program("rewrite_connect4");
        using var cgroup = CgroupHandle.Open(sandbox.CgroupPath);

        using (var link = program.AttachCgroup(cgroup))
        {
            Assert.Equal([program.Id], cgroup.QueryPrograms(BpfAttachType.CgroupInet4Connect));
            Assert.Equal("backend", ConnectProbe.Connect("127.77.0.1", direct.Port, sandbox.CgroupPath));
            Assert.Equal("direct", ConnectProbe.Connect("127.77.0.1", direct.Port));

            // The program counted its one rewrite on whichever CPU ran it.
            ulong[] perCpu = obj.Map("rewrites").LookupPerCpu<uint, ulong>(0u);
            Assert.Equal(BpfMap.PossibleCpuCount, perCpu.Length);
            Assert.Equal(1UL, perCpu.Aggregate(0UL, (a, b) => a + b));
        }

        Assert.Empty(Eventually.Empty(() => cgroup.QueryPrograms(BpfAttachType.CgroupInet4Connect)));
        Assert.Equal("direct", ConnectProbe.Connect("127.77.0.1", direct.Port, sandbox.CgroupPath));
    }

    [KernelFact]
    public void A_read_only_global_set_before_load_steers_the_program()
    {
        using var sandbox = new KernelSandbox();
        using var vip1 = new MarkerServer("127.77.0.1", "vip1");
        using var vip2 = new MarkerServer("127.77.0.2", "vip2");
        using var backend = new MarkerServer("127.0.0.1", "backend");
        using var obj = BpfObject.Open(Rewrite, sandbox.Options());

        obj.SetReadOnlyGlobal("vip_host", 0x7f4d0002u); // 127.77.0.2 instead of the built-in .1
        obj.Load();
        Assert.Equal(0x7f4d0002u, obj.GetReadOnlyGlobal<uint>("vip_host"));
        obj.Map("backends").Update((uint)vip1.Port, (uint)backend.Port);
        obj.Map("backends").Update((uint)vip2.Port, (uint)backend.Port);
        using var cgroup = CgroupHandle.Open(sandbox.CgroupPath);
        using var link = obj.Program("rewrite_connect4").AttachCgroup(cgroup);

        Assert.Equal("backend", ConnectProbe.Connect("127.77.0.2", vip2.Port, sandbox.CgroupPath));
        Assert.Equal("vip1", ConnectProbe.Connect("127.77.0.1", vip1.Port, sandbox.CgroupPath));
    }

    [KernelFact]
    public void A_link_outlives_its_object_until_disposed()
    {
        using var sandbox = new KernelSandbox();
        using var direct = new MarkerServer("127.77.0.1", "direct");
        using var backend = new MarkerServer("127.0.0.1", "backend");
        using var cgroup = CgroupHandle.Open(sandbox.CgroupPath);
        BpfLink link;
        using (var obj = BpfObject.Open(Rewrite, sandbox.Options()))
        {
            obj.Load();
            obj.Map("backends").Update((uint)direct.Port, (uint)backend.Port);
            link = obj.Program("rewrite_connect4").AttachCgroup(cgroup);
        }

        using (link)
        {
            Assert.Single(cgroup.QueryPrograms(BpfAttachType.CgroupInet4Connect));
            Assert.Equal("backend", ConnectProbe.Connect("127.77.0.1", direct.Port, sandbox.CgroupPath));
        }
        Assert.Empty(Eventually.Empty(() => cgroup.QueryPrograms(BpfAttachType.CgroupInet4Connect)));
    }

    [KernelFact]
    public void Opening_a_non_cgroup2_directory_is_refused()
    {
        KernelRequirements.ThrowIfUnavailable();
        Assert.Throws<ArgumentException>(() => CgroupHandle.Open("/tmp"));
        Assert.Throws<BpfException>(() => CgroupHandle.Open("/nonexistent-cgroup"));
    }
}
