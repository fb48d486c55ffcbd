using Google.Protobuf.WellKnownTypes;

namespace Kmesh.Xds.Server;

/// <summary>One resource as the server sends it.</summary>
/// <param name="Name">Its xDS name.</param>
/// <param name="Body">The packed message.</param>
/// <param name="Version">A hash of its bytes (after the file's own version of it, when a Resource wrapper gives one): equal content, equal version, so a re-read file pushes nothing.</param>
public sealed record ServedResource(string Name, Any Body, string Version);
