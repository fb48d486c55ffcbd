using System.Text;

namespace Kmesh.Xds.Tests.Hostile;

/// <summary>
/// Inputs tests/fuzz/run.sh found (afl++ on the config reader), kept as regressions: each was
/// an unhandled ArgumentException or InvalidOperationException out of YamlDotNet's loader, and
/// must be a ConfigParseException ("invalid YAML") with a position instead.
/// </summary>
public sealed class FuzzFindingTests
{
    [Theory]
    // A mapping key that is empty (`- :`) followed by a deeper mapping: "The current event is of an unsupported type".
    [InlineData("cmVzb3VyY2VzOgotICJAdHlwZSI6IHR5cGUuZ29vZ2xlYXBpcy5jb20vZW52b3kuY29uZmlnLmNsdXN0ZXIudjMuQ2x1c3RlcgogIG5hbWU6IGV4YW1wbGVfcHJveHlfY2x1c3RlcgogIHR5cGU6IFNUUklDVF9ETlMKICBsb2FkX2Fzc2lnbm1lbnQ6CiAgICBjbHVzdGVyX25hbWU6IGV4YW1wbGVfcHJveHlfY2x1c3RlcgogICAgZW5kcG9pbnRzOgogICAgLSBsYl9lbmRwb2ludHM6CiAgICAgIC0gOgogICAgICAgICAgICBzb2NrZXRfYWRkcmVzczoKICAgICAgICAgICAgICBhZGRyZXNzOiBzZXJ2aWNlMQogICAgICAgICAgICAgIHBvcnRfdmFsdWU6IDgwODAK")]
    // A stray flow token and anchor mark: "Operation is not valid due to the current state of the object".
    [InlineData("cmVzb3VyY2VzOgotICJAdHllLmdvb2dsZXBlIjogdHlwYXBpcy5jb20vZW52b3kuY29uZmlnLmNsdXN0ZXIudjMuQ2x1c3RlcgogICAgY2x1c2V4YW1wbGVfcHJveHlfY2x1c3RlcgogIFt5cGU6ClMgICAgICAgICAgICAmICAgICAgICAgICBpUklDVF9ETlMKICBsb2FkX2Fzc2lnayAgICAgICAgbmFtZTogdGV0czoKICAgIGx1c3RlcgogIG5hbWU6IGV4YW1wbGVfcHJveHlfYy0gbGJfZW6GcG9pbnRzcgogIG1lOiBleGFtcGxlX3Byb3h5X2NsdXN0ZXIKICAgIGVuZHBvaW50czoKICAgIC0gbGJfZW6GcG9pbnRzOgogICAgICAtIGVuZHBvaW50OgogICAgYWRkcmVzczoKICAgICAgICAgICAgc29ja2V0X2FkZHJlc3M6CiAgICAgICAgICAgICAgYWRkcmVzczogc2VydmljZTFlbnQ6CiAgICAgICAgICBwb3J0X3ZhbHVlOiA4MDgwIA==")]
    // A document end marker then control bytes: "The scanner should contain no more tokens".
    [InlineData("Li4uAAEusw==")]
    public void FuzzFinding_IsAParseError(string base64)
    {
        var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));

        var parse = Record.Exception(() => EnvoyConfigFile.Parse("fuzz.yaml", text));
        var inventory = Record.Exception(() => EnvoyConfigFile.Inventory("fuzz.yaml", text));

        Assert.IsType<ConfigParseException>(parse);
        Assert.IsType<ConfigParseException>(inventory);
        Assert.StartsWith("fuzz.yaml:", parse.Message);
    }
}
