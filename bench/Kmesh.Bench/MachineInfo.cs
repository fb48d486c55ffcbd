using System.Text.RegularExpressions;

namespace Kmesh.Bench;

public static class MachineInfo
{
    public static string ShortName()
    {
        var cpu = Cpu();
        var name = Regex.Replace(cpu.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');
        return $"{Environment.ProcessorCount}cpu-{name}";
    }

    public static string Cpu() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";

    public static string Describe()
    {
        var memKb = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var kernel = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"') ?? ""
            : "";
        var mhz = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("cpu MHz", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        return $"""
            | | |
            | --- | --- |
            | CPUs (nproc) | {Environment.ProcessorCount} |
            | CPU model | {Cpu()} ({mhz} MHz reported) |
            | memory | {long.Parse(memKb, System.Globalization.CultureInfo.InvariantCulture) / 1024.0 / 1024.0:0.0} GiB |
            | kernel | {kernel} |
            | OS | {os} |
            | .NET | {Environment.Version} |
            | load average at start (1/5/15 min) | {string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3))} (the machine is shared: other work may run alongside) |
            | tools | {Tool("wrk", "-v")}; {Tool("haproxy", "-v")}; {Tool("nginx", "-v")}; {Tool("iptables", "-V")} |
            """;
    }

    private static string Tool(string file, string arg)
    {
        try
        {
            var (_, o, e) = Proc.Run(file, [arg], TimeSpan.FromSeconds(10));
            var first = (o + e).Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? file;
            return first.Trim().Replace("|", "/", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException)
        {
            return $"{file}: not found";
        }
    }
}
