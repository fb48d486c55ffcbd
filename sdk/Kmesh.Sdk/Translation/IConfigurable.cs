namespace Kmesh.Sdk.Translation;

/// <summary>
/// A translator that takes settings from the operator: <c>kmesh run --plugin-arg NAME.KEY=VALUE</c>
/// (repeatable). The core calls <see cref="Configure"/> once, after loading the plugin and
/// before any translation, with the arguments meant for this plugin (possibly none). Throw
/// <see cref="ArgumentException"/> for a bad one: the plugin is then left out of the chain
/// with that message, and the rest of the chain runs.
/// </summary>
public interface IConfigurable
{
    /// <summary>Takes this plugin's arguments.</summary>
    void Configure(PluginArguments arguments);
}
