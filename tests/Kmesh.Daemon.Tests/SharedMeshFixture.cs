namespace Kmesh.Daemon.Tests;

/// <summary>One daemon on the test mesh, shared by the tests that only dial.</summary>
public sealed class SharedMeshFixture : IAsyncLifetime
{
    internal MeshRun Run { get; private set; } = null!;

    public async Task InitializeAsync() => Run = await MeshRun.StartAsync(TestMesh.Config());

    public async Task DisposeAsync()
    {
        if (Run is not null)
            await Run.DisposeAsync();
    }
}
