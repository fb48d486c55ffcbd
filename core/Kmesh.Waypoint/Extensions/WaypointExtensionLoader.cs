using Envoy.Config.Listener.V3;
using Google.Protobuf;
using Kmesh.Core.Plugins;
using Kmesh.Sdk.Translation;
using Kmesh.Sdk.Waypoint;
using McMaster.NETCore.Plugins;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Waypoint.Extensions;

/// <summary>
/// Finds the plugins with an L7 part: one public <see cref="IWaypointExtension"/> in the plugin's
/// assembly. Each is loaded in a context of its own, sharing with the waypoint the SDK, the Envoy
/// API, Protobuf and ASP.NET Core, so the resources and requests it gets are the waypoint's own
/// types. A plugin that cannot be loaded is reported and left out; the others extend the waypoint.
/// </summary>
internal static class WaypointExtensionLoader
{
    private static readonly Type[] SharedTypes = [typeof(IWaypointExtension), typeof(ITranslator), typeof(Listener), typeof(IMessage), typeof(HttpContext)];

    public static List<LoadedExtension> Load(IReadOnlyList<string> directories, List<string> problems)
    {
        var result = new List<LoadedExtension>();
        if (directories.Count == 0)
            return result;
        var catalog = PluginCatalog.Discover(directories);
        problems.AddRange(catalog.Problems);
        foreach (var plugin in catalog.Plugins.OrderBy(p => p.Manifest.Order))
        {
            if (!File.Exists(plugin.AssemblyPath))
                continue;
            var loader = PluginLoader.CreateFromAssemblyFile(plugin.AssemblyPath, SharedTypes, config => config.PreferSharedTypes = true);
            try
            {
                var types = loader.LoadDefaultAssembly().GetExportedTypes()
                    .Where(t => typeof(IWaypointExtension).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
                    .ToList();
                if (types.Count == 0)
                {
                    loader.Dispose();
                    continue;
                }
                if (types.Count > 1)
                    throw new InvalidOperationException($"exports {types.Count} IWaypointExtension types; one is allowed");
                var extension = (IWaypointExtension)Activator.CreateInstance(types[0])!;
                result.Add(new LoadedExtension(plugin.Manifest.Name, extension, loader, plugin.Manifest.HttpFilters));
            }
            catch (Exception e)
            {
                loader.Dispose();
                problems.Add($"plugin {plugin}: its L7 part is left out: {e.Message}");
            }
        }
        return result;
    }
}

/// <summary>A plugin's L7 part, loaded; its load context lives as long as the waypoint.</summary>
/// <param name="HttpFilters">The HTTP filter config types it applies (its manifest's <c>httpFilters</c>).</param>
internal sealed record LoadedExtension(string Plugin, IWaypointExtension Extension, PluginLoader Loader, IReadOnlyList<string> HttpFilters);
