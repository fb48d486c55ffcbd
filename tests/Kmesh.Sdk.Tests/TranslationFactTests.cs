using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using Xunit;

namespace Kmesh.Sdk.Tests;

/// <summary>A fact's text may be written when it is read: it must read the same, once, and compare as the written one.</summary>
public sealed class TranslationFactTests
{
    private static readonly ResourceRef Reviews = ResourceRef.Cluster("reviews");

    [Fact]
    public void ADescribedFact_IsWrittenOnlyWhenRead_AndOnce()
    {
        var written = 0;
        var output = new TranslationOutput();
        output.Applied(Reviews, "", AppliedKind.Endpoints, () => { written++; return "2 of 2 endpoints take connects"; });

        Assert.Equal(0, written);
        var fact = Assert.Single(output.Facts);
        Assert.Equal("2 of 2 endpoints take connects", fact.Detail);
        Assert.Equal("endpoints: cluster reviews: 2 of 2 endpoints take connects", fact.ToString());
        _ = fact.Detail;
        Assert.Equal(1, written);
    }

    [Fact]
    public void ADescribedFact_EqualsTheWrittenOne_WithTheSameText()
    {
        var written = new TranslationFact(AppliedKind.Endpoints, Reviews, "", "1 of 1 endpoints take connects");
        var described = new TranslationFact(AppliedKind.Endpoints, Reviews, "", () => "1 of 1 endpoints take connects");
        var other = new TranslationFact(AppliedKind.Endpoints, Reviews, "", () => "none of its 1 endpoints can take connects");

        Assert.Equal(written, described);
        Assert.Equal(written.GetHashCode(), described.GetHashCode());
        Assert.NotEqual(written, other);
        Assert.Equal(written, described with { }); // a copy keeps the text
    }
}
