namespace Kmesh.Ctl.Tests.Deploy;

/// <summary>A fact that needs Prometheus's <c>promtool</c> (Debian: <c>apt-get install prometheus</c>); skipped, saying so, without it.</summary>
public sealed class PromtoolFactAttribute : FactAttribute
{
    public PromtoolFactAttribute()
    {
        if (Promtool.Path is null)
            Skip = "promtool is not on PATH (apt-get install prometheus): the dashboard's PromQL syntax is not checked";
    }
}

/// <summary>Where promtool is.</summary>
internal static class Promtool
{
    public static string? Path { get; } = Find();

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, "promtool"))
            .FirstOrDefault(File.Exists);
}
