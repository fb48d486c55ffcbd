namespace Kmesh.Waypoint.Tests;

/// <summary>The repository's built plugins (<c>artifacts/plugins</c>, laid out by the build), for the waypoint's plugin tests.</summary>
internal static class RepoPlugins
{
    public static string Directory { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kmesh.sln")))
                return Path.Combine(dir.FullName, "artifacts", "plugins");
        }
        throw new InvalidOperationException("the repository root (Kmesh.sln) is not above the test's folder");
    }
}
