namespace Kmesh.Daemon.Tests;

/// <summary>
/// The governance tests count exact token-bucket outcomes against a 1 s refill, time 1 s
/// ejections and dial a thousand times: they run on their own, after the parallel tests, so that neither their
/// timing nor the load they make bends another test's (or their own) result.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GovernanceCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "governance";
}
