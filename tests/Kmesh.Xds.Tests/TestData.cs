namespace Kmesh.Xds.Tests;

/// <summary>Locates the copied corpus files next to the test assembly.</summary>
internal static class TestData
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "testdata", name);

    public static EnvoyResources Load(string name) => EnvoyConfigFile.Load(PathOf(name));
}
