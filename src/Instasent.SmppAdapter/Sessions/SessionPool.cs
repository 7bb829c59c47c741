using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Stores;
using Microsoft.Extensions.Hosting;

namespace Instasent.SmppAdapter.Sessions;

/// <summary>
/// Every configured connection's <see cref="ConnectionSessions"/>. Hosted: binds at start; on stop (which the host runs
/// after the bus stopped consuming, see <c>AdapterHost</c>) unbinds every session.
/// </summary>
public sealed class SessionPool : IHostedService, IAsyncDisposable
{
    private readonly Dictionary<string, ConnectionSessions> _connections;

    public SessionPool(AdapterOptions options, ISmppInboundHandler inbound, SessionEventChannel events, IAccountBudgets budgets, TimeProvider time,
        ILoggerFactory loggerFactory)
    {
        _connections = options.Connections.ToDictionary(
            c => c.Name,
            c => new ConnectionSessions(c, options.Sending, inbound, events, budgets, time, loggerFactory),
            StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyCollection<ConnectionSessions> Connections => _connections.Values;

    public ConnectionSessions this[string connection] => _connections[connection];

    public IEnumerable<SessionSnapshot> Snapshot() => _connections.Values.SelectMany(c => c.Snapshot());

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var connection in _connections.Values)
        {
            connection.Start();
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_connections.Values.Select(c => c.StopAsync(cancellationToken)));

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections.Values)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
