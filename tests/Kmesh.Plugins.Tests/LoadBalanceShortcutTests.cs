using CsCheck;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Kmesh.Plugins.LoadBalance;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.Tests;

/// <summary>
/// The usual assignment (one priority, every host available, no locality weighting) gets its
/// endpoint weights without exact fractions; on random assignments, usual and not, the weights
/// and warnings must be those of the exact path.
/// </summary>
public sealed class LoadBalanceShortcutTests
{
    private static readonly uint[] Weights = [0, 1, 2, 3, 6, 100, 65536, uint.MaxValue - 1, uint.MaxValue];

    private static readonly HealthStatus[] Health =
        [HealthStatus.Healthy, HealthStatus.Unknown, HealthStatus.Degraded, HealthStatus.Unhealthy, HealthStatus.Draining, HealthStatus.Timeout];

    // Per endpoint: weight (or unset), health, priority, address kind; per assignment, whether localities are weighted and the factor.
    private static readonly Gen<(int[][] Endpoints, bool LocalityWeighted, int Factor)> Assignments =
        Gen.Select(Gen.Int[0, 9999].Array[4].Array[0, 12], Gen.Bool, Gen.Int[0, 3]);

    [Fact]
    public void RandomAssignments_GetTheExactPathsWeights()
    {
        var shortcuts = 0;
        Assignments.Sample(recipe =>
        {
            var assignment = Build(recipe.Endpoints, recipe.Factor);
            var quickOutput = new TranslationOutput();
            var exactOutput = new TranslationOutput();
            var quick = ClusterEndpoints.Usable("c", assignment, recipe.LocalityWeighted, quickOutput, shortcut: true);
            var exact = ClusterEndpoints.Usable("c", assignment, recipe.LocalityWeighted, exactOutput, shortcut: false);
            Assert.Equal(exact.Select(e => (e.Address.ToString(), e.Weight)), quick.Select(e => (e.Address.ToString(), e.Weight)));
            Assert.Equal(exactOutput.Diagnostics.Select(d => d.ToString()), quickOutput.Diagnostics.Select(d => d.ToString()));
            if (!recipe.LocalityWeighted && quick.Count > 1 && assignment.Endpoints.SelectMany(l => l.LbEndpoints).All(e => e.HealthStatus is HealthStatus.Healthy or HealthStatus.Unknown))
                shortcuts++;
        }, iter: 3000, threads: 1, print: r => $"{string.Join(" | ", r.Endpoints.Select(e => string.Join(",", e)))} lw={r.LocalityWeighted} f={r.Factor}");
        Assert.True(shortcuts > 100, $"only {shortcuts} assignments of the usual shape");
    }

    private static ClusterLoadAssignment Build(int[][] endpoints, int factor)
    {
        var assignment = new ClusterLoadAssignment { ClusterName = "c" };
        if (factor > 0)
            assignment.Policy = new ClusterLoadAssignment.Types.Policy { OverprovisioningFactor = (uint)(factor * 60) };
        // Two in three assignments keep every endpoint at priority 0 and healthy: the shortcut's shape.
        var usual = endpoints.Length > 0 && endpoints[0][0] % 3 != 2;
        for (var i = 0; i < endpoints.Length; i++)
        {
            var c = endpoints[i];
            var priority = usual ? 0u : (uint)(c[2] % 3);
            var locality = assignment.Endpoints.FirstOrDefault(l => l.Priority == priority && l.Locality.Zone == $"z{c[2] % 2}");
            if (locality is null)
            {
                locality = new LocalityLbEndpoints { Priority = priority, Locality = new Locality { Zone = $"z{c[2] % 2}" }, LoadBalancingWeight = (uint)(c[2] % 4) };
                assignment.Endpoints.Add(locality);
            }
            var endpoint = new LbEndpoint
            {
                HealthStatus = usual ? Health[c[1] % 2] : Health[c[1] % Health.Length],
                Endpoint = new Endpoint
                {
                    Address = new Address
                    {
                        SocketAddress = new SocketAddress { Address = c[3] % 5 == 4 ? $"fe80::{i + 1}" : $"10.0.0.{i + 1}", PortValue = c[3] % 7 == 6 ? 0u : 80u },
                    },
                },
            };
            if (c[0] % 4 != 0)
                endpoint.LoadBalancingWeight = Weights[c[0] % Weights.Length];
            locality.LbEndpoints.Add(endpoint);
        }
        return assignment;
    }
}
