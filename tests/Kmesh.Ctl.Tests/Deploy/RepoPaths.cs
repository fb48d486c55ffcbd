namespace Kmesh.Ctl.Tests.Deploy;

/// <summary>Files of the repository these tests check, found from the test's output folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string AdminApiDoc => Path.Combine(Root, "docs", "admin-api.md");

    public static string Dashboard => Path.Combine(Root, "deploy", "grafana", "kmesh-dashboard.json");

    public static string DaemonSet => Path.Combine(Root, "deploy", "kubernetes", "daemonset.yaml");

    public static string Dockerfile => Path.Combine(Root, "deploy", "Dockerfile");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kmesh.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no Kmesh.sln above {AppContext.BaseDirectory}");
    }
}
