using Kmesh.Xds.Validation;

namespace Kmesh.Xds.Tests.Validation;

/// <summary>
/// Real configuration files written by others (the conformance corpus) pass Envoy's validation:
/// the validator must not invent rejections Envoy would not make. A real file that breaks a rule
/// would be listed here with the rule, after checking that Envoy refuses it too.
/// </summary>
public sealed class CorpusValidationTests
{
    /// <summary>
    /// Violations real files do have, and why they are right. (Istio's config dump lists, under
    /// static_endpoint_configs, Envoy's own rendering of a STATIC cluster's hosts with
    /// <c>load_balancing_weight: 0</c>; that is a copy of what the cluster carries, which the reader
    /// tells apart (DumpCopies) and no longer hands over as a resource, so it is not here.)
    /// </summary>
    private static readonly Dictionary<string, string[]> Known = new();

    public static TheoryData<string> Files() => new(
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "testdata"))
            .Select(Path.GetFileName)
            .Where(n => n!.EndsWith(".yaml", StringComparison.Ordinal) || n.EndsWith(".json", StringComparison.Ordinal) || n.EndsWith(".yml", StringComparison.Ordinal))
            .Order()!);

    [Theory]
    [MemberData(nameof(Files))]
    public void CorpusFile_HasNoViolations(string name)
    {
        EnvoyResources resources;
        try
        {
            resources = TestData.Load(name);
        }
        catch (ConfigParseException)
        {
            return; // files the reader refuses are the corpus tests' business, not validation's
        }

        var rejections = ResourceValidator.Validate(resources);

        Assert.Equal(Known.GetValueOrDefault(name) ?? [], rejections.Select(r => r.ToString()));
    }
}
