namespace Kmesh.Sdk.Abi;

/// <summary>A kernel hook that runs a tail-call chain; a plugin ships one program per hook it serves.</summary>
public enum ChainHook
{
    /// <summary><c>cgroup/connect4</c>: IPv4 <c>connect()</c>.</summary>
    Connect4,
    /// <summary><c>cgroup/connect6</c>: IPv6 <c>connect()</c>.</summary>
    Connect6,
    /// <summary><c>sockops</c>: TCP lifecycle events (connect, established, state changes); ABI 1.1.</summary>
    SockOps,
    /// <summary><c>sk_msg</c>: every send on a socket in the core's sockhash <c>km_socks</c>; ABI 1.2.</summary>
    SkMsg,
}

/// <summary>Names of hooks as manifests, section names and the object's slot globals spell them.</summary>
public static class ChainHooks
{
    /// <summary>Every hook that has a chain.</summary>
    public static IReadOnlyList<ChainHook> All { get; } = [ChainHook.Connect4, ChainHook.Connect6, ChainHook.SockOps, ChainHook.SkMsg];

    /// <summary>The manifest name: <c>connect4</c>.</summary>
    public static string ManifestName(this ChainHook hook) => hook switch
    {
        ChainHook.Connect4 => "connect4",
        ChainHook.Connect6 => "connect6",
        ChainHook.SockOps => "sockops",
        ChainHook.SkMsg => "sk_msg",
        _ => throw new ArgumentOutOfRangeException(nameof(hook)),
    };

    /// <summary>The ELF section of a program for this hook: <c>cgroup/connect4</c>, <c>sockops</c>.</summary>
    public static string SectionName(this ChainHook hook) => hook is ChainHook.SockOps or ChainHook.SkMsg ? hook.ManifestName() : "cgroup/" + hook.ManifestName();

    /// <summary>The chain ABI minor that introduced the hook: an object built for an older minor cannot serve it.</summary>
    public static int SinceAbiMinor(this ChainHook hook) => hook switch
    {
        ChainHook.SockOps => 1,
        ChainHook.SkMsg => 2,
        _ => 0,
    };

    /// <summary>Whether the hook's chain ends in the core's commit program (connect hooks decide; sockops and sk_msg programs act themselves).</summary>
    public static bool HasCommit(this ChainHook hook) => hook is ChainHook.Connect4 or ChainHook.Connect6;

    /// <summary>The <c>const volatile</c> global the core writes the object's slot into.</summary>
    public static string SlotGlobal(this ChainHook hook) => "km_slot_" + hook.ManifestName();

    /// <summary>The pinned prog array of this hook's chain.</summary>
    public static string ChainMapName(this ChainHook hook) => hook switch
    {
        ChainHook.Connect4 => "km_chain_c4",
        ChainHook.Connect6 => "km_chain_c6",
        ChainHook.SockOps => "km_chain_sops",
        ChainHook.SkMsg => "km_chain_msg",
        _ => throw new ArgumentOutOfRangeException(nameof(hook)),
    };

    /// <summary>Parses a manifest name.</summary>
    public static bool TryParse(string name, out ChainHook hook)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ManifestName(), name, StringComparison.Ordinal))
            {
                hook = candidate;
                return true;
            }
        }
        hook = default;
        return false;
    }
}
