namespace Kmesh.Daemon.Tests;

/// <summary>Where the built daemon and plugins are, found from the repository root.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string DaemonDll => Built("core/Kmesh.Daemon", "kmesh.dll");

    /// <summary><c>kmesh xds serve</c>, run as a separate process (e.g. inside a sandbox's cgroup).</summary>
    public static string XdsServerDll => Built("core/Kmesh.Xds.Server", "kmesh-xds.dll");

    /// <summary>The gRPC ADS stream client of tests/TestApps/ads-stream.</summary>
    public static string AdsStreamDll => Built("tests/TestApps/ads-stream", "kmesh-ads-stream.dll");

    /// <summary>The dotnet host running this test, to start the programs above with.</summary>
    public static string DotnetHost =>
        Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";

    public static string Plugins => Path.Combine(Root, "artifacts", "plugins");

    public static string TestPlugins => Path.Combine(Root, "artifacts", "test-plugins");

    /// <summary>A project's output, built in the configuration of this test assembly (bin/&lt;Configuration&gt;/net10.0/).</summary>
    private static string Built(string project, string file)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        return Path.Combine(Root, project, "bin", configuration, "net10.0", file);
    }

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
