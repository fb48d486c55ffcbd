namespace Kmesh.Bench;

/// <summary>Runs the BenchmarkDotNet project and returns its GitHub-flavoured Markdown tables.</summary>
public static class Micro
{
    public static string? Run(string microDll, bool quick, string work, CancellationToken ct)
    {
        if (quick)
            return null;
        ct.ThrowIfCancellationRequested();
        Console.Error.WriteLine("[bench] micro-benchmarks (BenchmarkDotNet, in-process)");
        var artifacts = Path.Combine(work, "bdn");
        var (code, stdout, stderr) = Proc.Run("dotnet", [microDll, "--artifacts", artifacts], TimeSpan.FromMinutes(15));
        var reports = Directory.Exists(artifacts) ? Directory.GetFiles(artifacts, "*-report-github.md", SearchOption.AllDirectories) : [];
        if (code != 0 || reports.Length == 0)
            return $"The micro-benchmarks failed (exit {code}):\n\n```\n{string.Join('\n', (stdout + stderr).Split('\n').TakeLast(30))}\n```";
        return string.Join("\n\n", reports.Order().Select(File.ReadAllText));
    }
}
