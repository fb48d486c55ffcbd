using Kmesh.Sdk.Abi;

namespace Kmesh.Admin.Metrics;

/// <summary>The label values of connect decisions and refusals: the chain ABI's reasons in snake_case.</summary>
internal static class ReasonNames
{
    public static string Of(KmReason reason) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(reason.ToString());
}
