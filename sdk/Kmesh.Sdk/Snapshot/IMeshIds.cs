using System.Net;

namespace Kmesh.Sdk.Snapshot;

/// <summary>
/// Small numeric ids for names the kernel cannot store (cluster names, listener names,
/// endpoints). The core keeps them stable for its lifetime, so that a config change only
/// rewrites the map entries that really changed; plugins use the same id for the same
/// name, which is how routing's chosen cluster meets load balancing's cluster table.
/// </summary>
public interface IMeshIds
{
    /// <summary>The id of a cluster by name (never 0).</summary>
    uint ClusterId(string clusterName);

    /// <summary>The id of a service, i.e. a listener by name (never 0).</summary>
    uint ServiceId(string listenerName);

    /// <summary>The id of an endpoint by address (never 0).</summary>
    uint EndpointId(IPEndPoint endpoint);
}
