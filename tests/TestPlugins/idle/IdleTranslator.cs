using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.TestPlugins.Idle;

/// <summary>Declares connect work for the listener named <c>web</c> only; writes no map.</summary>
public sealed class IdleTranslator : ITranslator
{
    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
        var work = output.ConnectWork();
        foreach (var listener in snapshot.Listeners.Where(l => l.Name == "web"))
            work.Add(snapshot.Ids.ServiceId(listener.Name));
    }
}
