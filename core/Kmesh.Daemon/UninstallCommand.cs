using Kmesh.Bpf;
using Kmesh.Core.Datapath;

namespace Kmesh.Daemon;

/// <summary>
/// <c>kmesh uninstall</c>: removes what an instance left running with <c>--keep-on-exit</c>
/// (node decommission, helm uninstall). Unpinning the links detaches the programs; unpinning
/// the maps frees them once no program uses them. Idempotent: a second run finds nothing.
/// </summary>
internal static class UninstallCommand
{
    public const string Usage = """
        usage: kmesh uninstall [--bpffs DIR] [--cgroup DIR]
                 detach and remove the data path a daemon left running in pin folder DIR
                 (default /sys/fs/bpf/kmesh/default); refused while a daemon uses DIR.
                 With --cgroup, also say what is still attached to that cgroup afterwards.
        """;

    /// <summary>The hooks the core attaches to a cgroup.</summary>
    private static readonly (BpfAttachType Type, string Name)[] Hooks =
    [
        (BpfAttachType.CgroupSockOps, "sockops"), (BpfAttachType.CgroupInet4Connect, "connect4"),
        (BpfAttachType.CgroupInet6Connect, "connect6"), (BpfAttachType.CgroupInet4Getpeername, "getpeername4"),
        (BpfAttachType.CgroupInet6Getpeername, "getpeername6"),
    ];

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var bpffs = "/sys/fs/bpf/kmesh/default";
        string? cgroup = null;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--bpffs": bpffs = Path.GetFullPath(Value()); break;
                case "--cgroup": cgroup = Path.GetFullPath(Value()); break;
                default: throw new UsageException($"unknown argument {args[i]}");
            }
        }
        if (cgroup is not null && !CgroupHandle.IsCgroup2(cgroup))
            throw new UsageException($"--cgroup {cgroup}: not a cgroup v2 directory");

        InstanceLock held;
        try
        {
            // Held while removing: no daemon can start on the folder half-way through.
            held = InstanceLock.Acquire(bpffs);
        }
        catch (IOException e)
        {
            error.WriteLine($"kmesh uninstall: {e.Message.Replace("; stop it or pass another --bpffs", "")}: stop it first (without --keep-on-exit a daemon removes everything itself when it stops)");
            return 1;
        }
        using (held)
        {
            if (!Directory.Exists(bpffs))
            {
                output.WriteLine($"kmesh uninstall: nothing to remove: {bpffs} does not exist");
            }
            else if (!PinFolder.IsOnBpffs(bpffs))
            {
                error.WriteLine($"kmesh uninstall: {bpffs} is not on bpffs; refusing to touch it");
                return 1;
            }
            else
            {
                Remove(bpffs, output);
            }
        }
        if (cgroup is not null)
            ReportCgroup(cgroup, output);
        return 0;
    }

    private static void Remove(string bpffs, TextWriter output)
    {
        var links = ChainDatapath.LinksFolder(bpffs);
        var detached = new List<string>();
        if (Directory.Exists(links))
        {
            foreach (var pin in Directory.GetFiles(links).Order(StringComparer.Ordinal))
            {
                detached.Add(Describe(pin));
                File.Delete(pin); // the pin was the link's last reference: the program is detached now
            }
        }
        var maps = Directory.EnumerateFiles(bpffs, "*", SearchOption.AllDirectories).Count();
        PinFolder.Remove(bpffs);
        Kmesh.Core.Hosting.MeshIdsFile.Delete(bpffs); // the ids a successor would have restored
        output.WriteLine(detached.Count == 0
            ? "kmesh uninstall: no links were pinned (nothing was attached by this folder)"
            : $"kmesh uninstall: detached {detached.Count} links: {string.Join(", ", detached)}");
        output.WriteLine($"kmesh uninstall: unpinned {maps} maps and removed {bpffs}");
    }

    /// <summary>"km_entry4 (link 12, program 345)"; just the name when the pin is not a link.</summary>
    private static string Describe(string pin)
    {
        var name = Path.GetFileName(pin);
        try
        {
            using var link = BpfLink.OpenPinned(pin);
            var info = link.Info();
            return $"{name} (link {info.Id}, program {info.ProgramId})";
        }
        catch (BpfException)
        {
            return name;
        }
    }

    private static void ReportCgroup(string cgroup, TextWriter output)
    {
        using var handle = CgroupHandle.Open(cgroup);
        var attached = Hooks.Select(h => (h.Name, Count: handle.QueryPrograms(h.Type).Length)).Where(h => h.Count > 0).ToList();
        output.WriteLine(attached.Count == 0
            ? $"kmesh uninstall: nothing is attached to {cgroup} on the hooks kmesh uses"
            : $"kmesh uninstall: still attached to {cgroup} (not through this pin folder): {string.Join(", ", attached.Select(a => $"{a.Name} {a.Count}"))}");
    }
}
