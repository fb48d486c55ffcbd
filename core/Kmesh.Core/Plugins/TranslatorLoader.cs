using Google.Protobuf;
using Kmesh.Sdk.Translation;
using McMaster.NETCore.Plugins;

namespace Kmesh.Core.Plugins;

/// <summary>
/// Loads a plugin's translator in its own load context. The contract (Kmesh.Sdk), the Envoy
/// API and Google.Protobuf are shared with the host, so the snapshot the host builds is the
/// very type the plugin reads; everything else the plugin brings stays private to it.
/// </summary>
public static class TranslatorLoader
{
    private static readonly Type[] SharedTypes =
    [
        typeof(ITranslator),
        typeof(global::Envoy.Config.Listener.V3.Listener),
        typeof(IMessage),
    ];

    /// <summary>
    /// Loads and instantiates the single <see cref="ITranslator"/> of the plugin's assembly and
    /// hands it the operator's <paramref name="arguments"/> (<see cref="IConfigurable"/>).
    /// </summary>
    public static (ITranslator Translator, PluginLoader Loader) Load(PluginCandidate plugin, PluginArguments? arguments = null)
    {
        if (!File.Exists(plugin.AssemblyPath))
            throw new PluginLoadException(plugin, $"assembly {plugin.AssemblyPath} is missing");
        var loader = PluginLoader.CreateFromAssemblyFile(plugin.AssemblyPath, SharedTypes, config => config.PreferSharedTypes = true);
        try
        {
            var assembly = loader.LoadDefaultAssembly();
            var types = assembly.GetExportedTypes()
                .Where(t => typeof(ITranslator).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
                .ToList();
            if (types.Count != 1)
                throw new PluginLoadException(plugin, $"{Path.GetFileName(plugin.AssemblyPath)} must export exactly one public ITranslator, found {types.Count}");
            var translator = (ITranslator)(Activator.CreateInstance(types[0])
                ?? throw new PluginLoadException(plugin, $"could not create {types[0].FullName}"));
            Configure(plugin, translator, arguments ?? PluginArguments.None);
            return (translator, loader);
        }
        catch (Exception e) when (e is not PluginLoadException)
        {
            loader.Dispose();
            throw new PluginLoadException(plugin, $"loading {Path.GetFileName(plugin.AssemblyPath)} failed: {e.Message}", e);
        }
        catch
        {
            loader.Dispose();
            throw;
        }
    }

    private static void Configure(PluginCandidate plugin, ITranslator translator, PluginArguments arguments)
    {
        if (translator is not IConfigurable configurable)
        {
            if (arguments.Keys.Any())
                throw new PluginLoadException(plugin, $"takes no arguments, but --plugin-arg gave it {string.Join(", ", arguments.Keys)}");
            return;
        }
        try
        {
            configurable.Configure(arguments);
        }
        catch (ArgumentException e)
        {
            throw new PluginLoadException(plugin, $"rejected its arguments: {e.Message}", e);
        }
    }
}
