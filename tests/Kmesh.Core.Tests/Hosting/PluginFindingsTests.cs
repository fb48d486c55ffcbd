using Kmesh.Core.Hosting;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Tests.Hosting;

/// <summary>
/// A plugin's facts after incremental updates (kept as a list plus the resources translated
/// since, folded now and then): the same facts as replacing each translated resource's facts in
/// one whole list, across many updates, the fold included.
/// </summary>
public sealed class PluginFindingsTests
{
    private sealed class NoTranslator : ITranslator
    {
        public void Translate(MeshSnapshot snapshot, TranslationOutput output)
        {
        }
    }

    private static TranslationFact Fact(ResourceRef resource, int version) => new(AppliedKind.Endpoints, resource, "", $"v{version}");

    [Fact]
    public void FactsAfterManyIncrementalUpdates_AreThoseOfTheWholeListModel()
    {
        var random = new Random(16);
        var resources = Enumerable.Range(0, 1000).Select(i => ResourceRef.Cluster($"c{i}")).ToList();
        var model = resources.SelectMany(r => new[] { Fact(r, 0), Fact(r, 0) with { Kind = AppliedKind.Policy } }).ToList();
        var findings = new PluginFindings(new NoTranslator(), [], model.ToList());

        // 400 updates of 1-3 resources each: past the fold (an eighth of 2000 facts' resources) more than once.
        for (var update = 1; update <= 400; update++)
        {
            var delta = new TranslationDelta();
            foreach (var resource in Enumerable.Range(0, random.Next(1, 4)).Select(_ => resources[random.Next(resources.Count)]).Distinct())
            {
                delta.Retranslated(resource);
                // Some resources lose their facts (a cluster no plugin acts on any more), others get one or two.
                var count = random.Next(3);
                for (var k = 0; k < count; k++)
                    delta.Findings.Applied(resource, "", k == 0 ? AppliedKind.Endpoints : AppliedKind.Policy, $"v{update}");
            }
            model = model.Where(f => !delta.Resources.Contains(f.Resource)).Concat(delta.Findings.Facts).ToList();
            findings = findings.With(delta);
            if (update % 50 == 0)
                Assert.Equal(Sorted(model), Sorted(findings.Facts));
        }
        Assert.Equal(Sorted(model), Sorted(findings.Facts));

        // A fact about a resource not translated again adds to its facts.
        var odd = new TranslationDelta();
        odd.Retranslated(resources[0]);
        odd.Findings.Applied(resources[1], "", AppliedKind.Policy, "extra");
        model = model.Where(f => f.Resource != resources[0]).Append(odd.Findings.Facts[0]).ToList();
        Assert.Equal(Sorted(model), Sorted(findings.With(odd).Facts));
    }

    private static List<string> Sorted(IEnumerable<TranslationFact> facts) => facts.Select(f => f.ToString()).Order(StringComparer.Ordinal).ToList();
}
