using Kmesh.Core.Datapath;

namespace Kmesh.Core.Hosting;

/// <summary>Builds the datapath the daemon governs with; tests put an in-memory one in its place.</summary>
public interface IDatapathFactory
{
    /// <summary>Loads the chain and attaches it. Throws when the core itself cannot load; a plugin that fails is left out.</summary>
    IDatapath Start();
}
