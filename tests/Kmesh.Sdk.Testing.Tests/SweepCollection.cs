namespace Kmesh.Sdk.Testing.Tests;

/// <summary>
/// SweepStale tests run alone: they plant fake leftovers that another test's first
/// CreateAsync (which sweeps once per process) could otherwise remove under their feet.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SweepCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "sweep";
}
