namespace Kmesh.Daemon.Tests;

/// <summary>
/// <c>kmesh run</c>'s flags that this test suite does not otherwise exercise: a wrong one is a
/// usage error (exit 2) naming the flag, before anything touches the kernel (so no root needed).
/// </summary>
public sealed class RunCommandLineTests
{
    [Theory]
    [InlineData("--plugin-arg", "accelerate", "--plugin-arg accelerate: expected PLUGIN.KEY=VALUE")]
    [InlineData("--plugin-arg", "=x", "--plugin-arg =x: expected PLUGIN.KEY=VALUE")]
    [InlineData("--counters-interval", "-1", "--counters-interval -1: expected seconds >= 0")]
    [InlineData("--counters-interval", "soon", "--counters-interval soon: expected seconds >= 0")]
    [InlineData("--admin", "15200", "--admin 15200: expected ADDRESS:PORT")]
    [InlineData("--admin", "localhost:15200", "--admin localhost:15200: expected ADDRESS:PORT")]
    [InlineData("--admin", "127.0.0.1:99999", "--admin 127.0.0.1:99999: expected ADDRESS:PORT")]
    [InlineData("--traffic-counters", "no", "--traffic-counters no: expected on or off")]
    public async Task WrongFlagValue_IsAUsageErrorNamingIt(string flag, string value, string expected)
    {
        var (exit, stderr) = await RunAsync("run", "--config", "/nonexistent.yaml", flag, value);

        Assert.Equal(2, exit);
        Assert.Contains(expected, stderr);
    }

    private static async Task<(int Exit, string Stderr)> RunAsync(params string[] arguments)
    {
        var (exit, _, stderr) = await KmeshCommand.RunAsync(arguments);
        return (exit, stderr);
    }
}
