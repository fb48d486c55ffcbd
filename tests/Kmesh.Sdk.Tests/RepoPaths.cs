using System.Reflection;

namespace Kmesh.Sdk.Tests;

/// <summary>Where the repository's build outputs are, and the SDK version this test was built with.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>bin/&lt;Configuration&gt;/net10.0/ of this test: the configuration everything was built in.</summary>
    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    public static string DaemonDll => Path.Combine(Root, "core", "Kmesh.Daemon", "bin", Configuration, "net10.0", "kmesh.dll");

    public static string Plugins => Path.Combine(Root, "artifacts", "plugins");

    public static string TestPlugins => Path.Combine(Root, "artifacts", "test-plugins");

    public static string SdkVersion => Metadata("KmeshSdkVersion");

    /// <summary>KmeshSdkAbiVersion from sdk/build/Kmesh.Sdk.Version.props, as this test was built.</summary>
    public static string SdkAbiVersion => Metadata("KmeshSdkAbiVersion");

    private static string Metadata(string key) =>
        typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

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
