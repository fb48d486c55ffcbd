namespace Kmesh.Daemon.Tests;

/// <summary>Where the built daemon and plugins are, found from the repository root.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string DaemonDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
            return Path.Combine(Root, "core", "Kmesh.Daemon", "bin", configuration, "net10.0", "kmesh.dll");
        }
    }

    public static string Plugins => Path.Combine(Root, "artifacts", "plugins");

    public static string TestPlugins => Path.Combine(Root, "artifacts", "test-plugins");

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
