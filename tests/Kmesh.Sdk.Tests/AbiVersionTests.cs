using System.Text.RegularExpressions;
using System.Xml.Linq;
using Kmesh.Sdk.Abi;

namespace Kmesh.Sdk.Tests;

/// <summary>
/// The chain ABI version lives in chain.h (KMESH_ABI_MAJOR/LATEST_MINOR); the SDK's MSBuild property
/// (KmeshSdkAbiVersion, written into generated manifests) and the C# mirror (ChainAbi) must say the same.
/// </summary>
public sealed partial class AbiVersionTests
{
    [Fact]
    public void SdkAbiProperty_EqualsChainHeader_AndChainAbi()
    {
        var header = File.ReadAllText(Path.Combine(RepoPaths.Root, "sdk", "include", "kmesh", "chain.h"));
        var major = int.Parse(AbiDefine(header, "MAJOR"));
        var minor = int.Parse(AbiDefine(header, "LATEST_MINOR"));
        var props = XDocument.Load(Path.Combine(RepoPaths.Root, "sdk", "build", "Kmesh.Sdk.Version.props"));
        var property = props.Descendants().Single(e => e.Name.LocalName == "KmeshSdkAbiVersion").Value.Trim();

        Assert.Equal($"{major}.{minor}", property);
        Assert.Equal(property, RepoPaths.SdkAbiVersion);
        Assert.Equal((major, minor), (ChainAbi.Major, ChainAbi.Minor));
    }

    private static string AbiDefine(string header, string part)
    {
        var match = Regex.Match(header, $@"^#define\s+KMESH_ABI_{part}\s+(\d+)\s*$", RegexOptions.Multiline);
        Assert.True(match.Success, $"KMESH_ABI_{part} not found in chain.h");
        return match.Groups[1].Value;
    }
}
