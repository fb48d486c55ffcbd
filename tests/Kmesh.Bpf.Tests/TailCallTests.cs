using Kmesh.Bpf.Tests.Infrastructure;

namespace Kmesh.Bpf.Tests;

/// <summary>A prog array as a chain: an attached entry program tail-calls whatever slot 0 holds.</summary>
public sealed class TailCallTests
{
    private const int EINVAL = 22;

    [KernelFact]
    public void Program_array_slots_steer_the_chain()
    {
        using var sandbox = new KernelSandbox();
        using var direct = new MarkerServer("127.77.0.3", "direct");
        using var backend = new MarkerServer("127.0.0.1", "backend");
        using var obj = BpfObject.Open(KernelSandbox.ObjectPath("tailcall.bpf.o"), sandbox.Options());
        obj.Load();
        obj.Map("tc_backends").Update((uint)direct.Port, (uint)backend.Port);
        var chain = new ProgramArray(obj.Map("jmp"));
        var rewrite = obj.Program("slot_rewrite");
        using var cgroup = CgroupHandle.Open(sandbox.CgroupPath);
        using var link = obj.Program("entry").AttachCgroup(cgroup);

        Assert.Equal(4u, chain.Capacity);
        Assert.False(chain.TryGetProgramId(0, out _));
        Assert.Equal("direct", ConnectProbe.Connect("127.77.0.3", direct.Port, sandbox.CgroupPath));

        chain.Set(0, rewrite);
        Assert.True(chain.TryGetProgramId(0, out uint id));
        Assert.Equal(rewrite.Id, id);
        Assert.Equal("backend", ConnectProbe.Connect("127.77.0.3", direct.Port, sandbox.CgroupPath));

        Assert.True(chain.Clear(0));
        Assert.False(chain.Clear(0));
        Assert.Equal("direct", ConnectProbe.Connect("127.77.0.3", direct.Port, sandbox.CgroupPath));
    }

    [KernelFact]
    public void A_program_of_another_attach_type_is_refused_with_a_hint()
    {
        using var sandbox = new KernelSandbox();
        using var obj = BpfObject.Open(KernelSandbox.ObjectPath("tailcall.bpf.o"), sandbox.Options());
        obj.Load();
        var chain = new ProgramArray(obj.Map("jmp"));

        var ex = Assert.Throws<BpfException>(() => chain.Set(1, obj.Program("other_hook")));

        Assert.Equal(EINVAL, ex.Errno);
        Assert.Contains("expected attach type", ex.Message);
        Assert.Throws<BpfException>(() => chain.Set(4, obj.Program("slot_rewrite"))); // beyond capacity
        Assert.Throws<ArgumentException>(() => new ProgramArray(obj.Map("tc_backends")));
    }
}
