using Kmesh.Core.Check;
using Kmesh.Core.Plugins;

namespace Kmesh.Daemon;

/// <summary>
/// <c>kmesh config check</c>: a dry run of config files through the chain's translators (no
/// kernel, no root) that says what became of every resource. The exit status is for scripts:
/// 0 when every file was checked, even with rejected resources; 1 when a file could not be
/// read or parsed (or a translator failed on it); 2 for a wrong command line or a chain that
/// cannot be set up.
/// </summary>
internal static class ConfigCommand
{
    public const string Usage = """
        usage: kmesh config check FILE... [--json] [--verbose] [--resolve-dns]
                                  [--plugins a,b | --plugin-set FILE] [--plugin-dir DIR]...
                 dry run: every resource of each file through the plugins' translators, no kernel
                 or root needed; says whether each is applied, partially applied, rejected or not
                 used, and why (docs/config-check.md)
          --json            the report as JSON, schemaVersion 1 (docs/config-check.md)
          --verbose         every fact and finding under each resource
          --resolve-dns     look up DNS clusters' host names now (default: each stands for one endpoint)
          --plugins, --plugin-set, --plugin-dir   the chain, as for kmesh run (default dir: <kmesh>/plugins)
          exit status: 0 every file checked (even with rejected resources); 1 a file could not be
          read or parsed; 2 a wrong command line or a plugin chain that cannot be set up
        """;

    public static int Run(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] != "check")
            throw new UsageException(args.Count == 0 ? "config needs a command: check" : $"unknown config command '{args[0]}'");
        var request = Parse(args.Skip(1).ToList());
        CheckChain chain;
        try
        {
            chain = CheckChain.Load(request.PluginDirectories, request.Plugins, request.PluginSetPath);
        }
        catch (Exception e) when (e is PluginSelectionException or PluginLoadException or FormatException or IOException)
        {
            Console.Error.WriteLine($"kmesh config check: the plugin chain cannot be set up: {e.Message}");
            return 2;
        }
        using (chain)
        {
            foreach (var problem in chain.Problems)
                Console.Error.WriteLine($"kmesh config check: {problem}");
            // Each file's result is written as soon as it is known and then let go, so that checking
            // many files costs about what the largest one does (docs/limits.md).
            var check = new ConfigCheck(chain.Plugins, new CheckOptions { ResolveDns = request.ResolveDns });
            var results = check.CheckEach(request.Files);
            if (!request.Json)
                return CheckTextWriter.Write(Console.Out, check.Chain, check.DnsResolved, results, request.Verbose);
            using var stdout = Console.OpenStandardOutput();
            var exitCode = CheckJsonWriter.Write(stdout, check.Chain, check.DnsResolved, results);
            stdout.Write("\n"u8);
            return exitCode;
        }
    }

    private sealed record Request(IReadOnlyList<string> Files, bool Json, bool Verbose, bool ResolveDns,
        IReadOnlyList<string> Plugins, string? PluginSetPath, IReadOnlyList<string> PluginDirectories);

    private static Request Parse(List<string> args)
    {
        var files = new List<string>();
        var plugins = new List<string>();
        var pluginDirs = new List<string>();
        string? pluginSet = null;
        bool json = false, verbose = false, resolveDns = false;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--json": json = true; break;
                case "--verbose" or "-v": verbose = true; break;
                case "--resolve-dns": resolveDns = true; break;
                case "--plugins": plugins.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--plugin-set": pluginSet = Path.GetFullPath(Value()); break;
                case "--plugin-dir": pluginDirs.Add(Path.GetFullPath(Value())); break;
                case var flag when flag.StartsWith('-') && flag != "-": throw new UsageException($"unknown argument {flag}");
                default: files.Add(args[i]); break;
            }
        }
        if (files.Count == 0)
            throw new UsageException("check needs at least one FILE");
        if (pluginSet is not null && plugins.Count > 0)
            throw new UsageException("--plugins and --plugin-set both choose the chain; give one");
        if (json && verbose)
            throw new UsageException("--verbose is for people; --json always holds every fact and finding");
        // The same default as kmesh run: the plugins shipped beside the executable.
        if (pluginDirs.Count == 0)
            pluginDirs.Add(Path.Combine(AppContext.BaseDirectory, "plugins"));
        return new Request(files, json, verbose, resolveDns, plugins, pluginSet, pluginDirs);
    }
}
