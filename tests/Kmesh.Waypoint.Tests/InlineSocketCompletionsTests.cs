using Kmesh.Waypoint.Hosting;

namespace Kmesh.Waypoint.Tests;

/// <summary>
/// <c>kmesh waypoint</c> turns inline socket completions on for itself, unless the environment
/// already chose (an operator's <c>0</c> goes back to the thread pool). This process's socket
/// engine is long started, so only the variable is checked here, not the runtime's behaviour.
/// </summary>
public sealed class InlineSocketCompletionsTests
{
    [Fact]
    public void Unset_IsTurnedOn_AnExplicitChoiceIsKept()
    {
        var original = Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable);
        try
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, null);
            Assert.True(InlineSocketCompletions.PreferInline());
            Assert.Equal("1", Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable));

            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, "0");
            Assert.False(InlineSocketCompletions.PreferInline());
            Assert.Equal("0", Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, original);
        }
    }
}
