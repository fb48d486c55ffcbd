using Kmesh.Sdk.Snapshot;

namespace Kmesh.Sdk.Translation;

/// <summary>
/// A translator that can bring its previous output up to date for a change set instead of
/// translating the whole mesh again: at 10 000 services an endpoint change then costs the
/// entries of one cluster, not of all of them. Optional: the core calls
/// <see cref="ITranslator.Translate"/> for translators without it, and whenever this one declines.
/// </summary>
/// <remarks>
/// <para>
/// The core calls <see cref="TranslateChanges"/> only when this translator's previous call
/// (<see cref="ITranslator.Translate"/> or <see cref="TranslateChanges"/>) was of the snapshot
/// the changes are relative to, and what it produced is what the kernel maps hold
/// now. Anything else (the first update, an update that was refused or did not apply whole, a
/// plugin reload) goes through <see cref="ITranslator.Translate"/>.
/// </para>
/// <para>
/// The result must be exactly what <see cref="ITranslator.Translate"/> of the new snapshot
/// would give, byte for byte: the map entries that differ from the previous output are set or
/// removed in the delta (setting an unchanged entry is allowed, the core writes only
/// what differs), and every resource whose findings and facts may have changed is named with
/// <see cref="TranslationDelta.Retranslated"/> and its new ones reported in
/// <see cref="TranslationDelta.Findings"/>. Return false, leaving the delta however it
/// is, to have the core call <see cref="ITranslator.Translate"/> instead (a change this translator
/// has no incremental path for).
/// </para>
/// </remarks>
public interface IIncrementalTranslator : ITranslator
{
    /// <summary>Brings the previous output up to date for the changes; false to ask for a full translation.</summary>
    bool TranslateChanges(MeshSnapshot snapshot, MeshChanges changes, TranslationDelta delta);
}
