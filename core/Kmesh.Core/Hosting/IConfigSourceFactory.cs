using Kmesh.Xds.Sources;

namespace Kmesh.Core.Hosting;

/// <summary>Makes the daemon's config source; tests put a scripted one in its place.</summary>
public interface IConfigSourceFactory
{
    /// <summary>The source. A file source reads its file here: a broken one throws.</summary>
    IConfigSource Create();
}
