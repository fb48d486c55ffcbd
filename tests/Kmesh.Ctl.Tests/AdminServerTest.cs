namespace Kmesh.Ctl.Tests;

/// <summary>A test class with its own admin server on loopback, started before and stopped after each test.</summary>
public abstract class AdminServerTest : IAsyncLifetime
{
    internal AdminServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await AdminServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    internal Task<CtlRun> CtlAsync(params string[] args) => Ctl.RunAsync(Server, args);
}
