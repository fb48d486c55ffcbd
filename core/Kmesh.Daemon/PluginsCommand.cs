using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Kmesh.Core.Datapath;
using Kmesh.Core.Plugins;

namespace Kmesh.Daemon;

/// <summary>
/// <c>kmesh plugins reload</c> tells a running daemon to pick up new plugin versions;
/// <c>kmesh plugins lock</c> writes the plugin set (with SHA-256 pins) of what is on disk.
/// </summary>
internal static partial class PluginsCommand
{
    public const string Usage = """
        usage: kmesh plugins reload [--bpffs DIR]
                 replace, without dropping traffic, every plugin of the daemon using pin folder DIR
                 (default /sys/fs/bpf/kmesh/default) whose files changed
               kmesh plugins lock --plugin-dir DIR... [--plugins a,b]
                 print a plugin set (chain order, versions, SHA-256 pins, allowed directories)
        """;

    public static int Run(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
            throw new UsageException("plugins needs a command: reload or lock");
        return args[0] switch
        {
            "reload" => Reload(args.Skip(1).ToList()),
            "lock" => Lock(args.Skip(1).ToList()),
            _ => throw new UsageException($"unknown plugins command '{args[0]}'"),
        };
    }

    private static int Reload(List<string> args)
    {
        var bpffs = "/sys/fs/bpf/kmesh/default";
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--bpffs" && i + 1 < args.Count)
                bpffs = args[++i];
            else
                throw new UsageException($"unknown argument {args[i]}");
        }
        var pid = InstanceLock.OwnerOf(bpffs)
            ?? throw new UsageException($"no running kmesh daemon uses pin folder {bpffs}");
        const int SigHup = 1;
        if (kill(pid, SigHup) != 0)
            throw new UsageException($"could not signal daemon {pid}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        Console.WriteLine($"asked kmesh daemon {pid} (pins {bpffs}) to reload its plugins; its log says what was replaced");
        return 0;
    }

    private static int Lock(List<string> args)
    {
        var dirs = new List<string>();
        var names = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--plugin-dir" && i + 1 < args.Count)
                dirs.Add(Path.GetFullPath(args[++i]));
            else if (args[i] == "--plugins" && i + 1 < args.Count)
                names.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            else
                throw new UsageException($"unknown argument {args[i]}");
        }
        if (dirs.Count == 0)
            throw new UsageException("lock needs --plugin-dir");
        var chain = PluginCatalog.Discover(dirs).Select(names);
        var yaml = new StringBuilder();
        yaml.AppendLine("# kmesh plugin set: the chain in order, pinned to these exact files.");
        yaml.AppendLine($"allowedDirectories: [{string.Join(", ", dirs)}]");
        yaml.AppendLine("plugins:");
        foreach (var plugin in chain)
        {
            yaml.AppendLine($"  - name: {plugin.Manifest.Name}");
            yaml.AppendLine($"    version: {plugin.Manifest.Version}");
            yaml.AppendLine("    sha256:");
            yaml.AppendLine($"      assembly: {PluginSetResolver.Sha256(plugin.AssemblyPath)}");
            yaml.AppendLine($"      object: {PluginSetResolver.Sha256(plugin.ObjectPath)}");
        }
        Console.Write(yaml.ToString());
        return 0;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
