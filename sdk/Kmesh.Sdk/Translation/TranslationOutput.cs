using Kmesh.Sdk.Snapshot;

namespace Kmesh.Sdk.Translation;

/// <summary>What a translator produces: the desired contents of its maps, its findings, and what it applied.</summary>
public sealed class TranslationOutput
{
    private readonly List<DesiredMap> _maps = new();
    private readonly List<TranslationDiagnostic> _diagnostics = new();
    private readonly List<TranslationFact> _facts = new();

    /// <summary>
    /// The desired map named <paramref name="name"/>; created empty on first use. Maps the
    /// translator never asks for are left as they are. Declare maps in dependency order: the
    /// core writes new entries map by map in this order and removes stale ones in reverse.
    /// </summary>
    public DesiredMap<TKey, TValue> Map<TKey, TValue>(string name)
        where TKey : unmanaged
        where TValue : unmanaged
        => MapDeclaration.FindOrAdd(_maps, name, map => map.Name, () => new DesiredMap<TKey, TValue>(name));

    /// <summary>The maps in the order they were declared.</summary>
    public IReadOnlyList<DesiredMap> Maps => _maps;

    /// <summary>Findings, in the order they were reported.</summary>
    public IReadOnlyList<TranslationDiagnostic> Diagnostics => _diagnostics;

    /// <summary>What was applied, in the order it was reported.</summary>
    public IReadOnlyList<TranslationFact> Facts => _facts;

    /// <summary>
    /// Reports what (part of) a resource became in this plugin's maps. Report a fact for every
    /// resource the plugin acts on: a resource with neither
    /// facts nor findings is one no plugin used, and <c>kmesh config check</c> says so.
    /// </summary>
    public void Applied(ResourceRef resource, string field, AppliedKind kind, string detail) =>
        _facts.Add(new TranslationFact(kind, resource, field, detail));

    /// <summary>
    /// Reports a fact whose text is made only when it is read (<c>config check</c>, the config
    /// dump): for a detail that costs to write and is reported for every resource of a large mesh.
    /// <paramref name="describe"/> must read only what the translation does not change afterwards.
    /// </summary>
    public void Applied(ResourceRef resource, string field, AppliedKind kind, Func<string> describe) =>
        _facts.Add(new TranslationFact(kind, resource, field, describe));

    /// <summary>
    /// Reports a fact made earlier (a translator that keeps what it reported for a resource and
    /// reports it again while the resource is unchanged): a deferred text stays deferred.
    /// </summary>
    public void Applied(TranslationFact fact) => _facts.Add(fact ?? throw new ArgumentNullException(nameof(fact)));

    /// <summary>Reports that part of a resource is not supported and was left out.</summary>
    public void Warn(ResourceRef resource, string field, string message) =>
        _diagnostics.Add(new TranslationDiagnostic(DiagnosticSeverity.Warning, resource, field, message));

    /// <summary>Reports that a whole resource was left out.</summary>
    public void Error(ResourceRef resource, string field, string message) =>
        _diagnostics.Add(new TranslationDiagnostic(DiagnosticSeverity.Error, resource, field, message));

    /// <summary>
    /// Declares that this plugin's connect programs act only on the services added to the
    /// returned set (chain ABI 1.4): the chain passes over the plugin for every other service.
    /// Declare it even when no service has work (then the plugin is skipped everywhere); never
    /// declare it if the connect programs act on anything else (every connect); a plugin that acts
    /// per cluster declares its clusters (<see cref="ServiceWork.AddCluster"/>).
    /// </summary>
    public ServiceWork ConnectWork() => _connectWork ??= new ServiceWork();

    /// <summary>What <see cref="ConnectWork"/> declared; null when it was not called.</summary>
    public ServiceWork? DeclaredConnectWork => _connectWork;

    /// <summary>Which chain slots have nothing to do per service: set by the core for an <see cref="IChainWorkReader"/>, else <see cref="ChainWork.None"/>.</summary>
    public ChainWork ChainWork { get; init; } = ChainWork.None;

    private ServiceWork? _connectWork;

    /// <summary>Reports something worth knowing.</summary>
    public void Info(ResourceRef resource, string field, string message) =>
        _diagnostics.Add(new TranslationDiagnostic(DiagnosticSeverity.Info, resource, field, message));
}
