using Kmesh.Bpf.Tests.Infrastructure;

namespace Kmesh.Bpf.Tests;

/// <summary>What a failed Load tells: the rejected program and the verifier's words, or libbpf's.</summary>
public sealed class LoadFailureTests
{
    private const int EACCES = 13;

    [KernelFact]
    public void Verifier_rejection_names_the_program_and_carries_the_log()
    {
        using var sandbox = new KernelSandbox();
        using var obj = BpfObject.Open(KernelSandbox.ObjectPath("verifier_reject.bpf.o"), sandbox.Options());

        var ex = Assert.Throws<BpfLoadException>(obj.Load);

        Assert.Equal("reject_me", ex.ProgramName);
        Assert.Equal("verifier_reject", ex.ObjectName);
        Assert.Equal(EACCES, ex.Errno);
        Assert.Contains("invalid mem access", ex.VerifierLogTail);
        Assert.Contains("map_value_or_null", ex.VerifierLogTail);
        Assert.Contains("reject_me", ex.Message);
        Assert.Contains("invalid mem access", ex.Message);
        Assert.True(ex.VerifierLogTail.Split('\n').Length <= BpfLoadException.TailLines);
        Assert.False(obj.IsLoaded);
        Assert.Throws<InvalidOperationException>(obj.Load); // libbpf cannot retry a failed load
    }

    [KernelFact]
    public void Verifier_log_level_from_the_first_attempt_still_finds_the_rejected_program()
    {
        using var sandbox = new KernelSandbox();
        var options = new BpfObjectOptions { PinRoot = sandbox.PinRoot, VerifierLogLevel = 1 };
        using var obj = BpfObject.Open(KernelSandbox.ObjectPath("verifier_reject.bpf.o"), options);

        var ex = Assert.Throws<BpfLoadException>(obj.Load);

        Assert.Equal("reject_me", ex.ProgramName);
        Assert.Contains("invalid mem access", ex.VerifierLogTail);
    }

    [KernelFact]
    public void A_rejected_program_can_be_left_out_with_autoload()
    {
        using var sandbox = new KernelSandbox();
        using var obj = BpfObject.Open(KernelSandbox.ObjectPath("verifier_reject.bpf.o"), sandbox.Options());

        obj.Program("reject_me").Autoload = false;
        obj.Load();

        Assert.True(obj.Program("fine_first").IsLoaded);
        Assert.False(obj.Program("reject_me").IsLoaded);
        Assert.Throws<InvalidOperationException>(() => obj.Program("reject_me").DangerousGetFd());
    }

    [KernelFact]
    public void An_incompatible_pinned_map_fails_with_libbpfs_reason()
    {
        using var sandbox = new KernelSandbox();
        using var first = BpfObject.Open(KernelSandbox.ObjectPath("pinned_a.bpf.o"), sandbox.Options());
        first.Load();
        using var clash = BpfObject.Open(KernelSandbox.ObjectPath("pinned_mismatch.bpf.o"), sandbox.Options());

        var ex = Assert.Throws<BpfLoadException>(clash.Load);

        Assert.Null(ex.ProgramName);
        Assert.Contains(ex.LibbpfWarnings, w => w.Contains("shared_counters"));
        Assert.Contains("shared_counters", ex.Message);
    }
}
