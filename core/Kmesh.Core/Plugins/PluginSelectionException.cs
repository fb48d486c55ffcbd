namespace Kmesh.Core.Plugins;

/// <summary>The chosen plugin set cannot be built; the message says what to change.</summary>
public sealed class PluginSelectionException(string message) : Exception(message);
