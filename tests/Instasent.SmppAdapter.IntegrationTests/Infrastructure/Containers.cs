using DotNet.Testcontainers.Containers;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

/// <summary>Testcontainers where a Docker engine answers, for the fixtures that fall back to a local server otherwise.</summary>
internal static class Containers
{
    /// <summary>
    /// The container <paramref name="build"/> makes, started within <paramref name="timeout"/>; or null and why not
    /// (Docker missing, its socket unreachable, the image not pullable, the start too slow), for the fallback's message.
    /// </summary>
    public static async Task<(TContainer? Container, string Failure)> TryStartAsync<TContainer>(Func<TContainer> build, TimeSpan timeout)
        where TContainer : class, IContainer
    {
        TContainer? container = null;
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            container = build();
            await container.StartAsync(cts.Token);
            return (container, "");
        }
        catch (Exception e)
        {
            if (container is not null)
            {
                await container.DisposeAsync();
            }

            return (null, $"{e.GetType().Name}: {e.GetBaseException().Message}");
        }
    }
}
