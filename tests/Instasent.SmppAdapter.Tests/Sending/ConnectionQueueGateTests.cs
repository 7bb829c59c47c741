using Instasent.SmppAdapter.Sending;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Instasent.SmppAdapter.Tests.Sending;

/// <summary>
/// The gate opens a connection's queues (the high one first) when a session binds and closes them on stop. These replace MassTransit's endpoint
/// connector with one whose endpoints start and stop only when a test says so, so the order of the two is observable.
/// </summary>
public sealed class ConnectionQueueGateTests
{
    [Fact]
    public async Task The_high_queue_is_consumed_first_and_the_normal_one_only_once_the_high_one_is_ready()
    {
        var connector = new ManualEndpointConnector();
        await using var adapter = await AdapterUnderTest.StartAsync(services: s => s.AddSingleton<IReceiveEndpointConnector>(connector), waitForBind: false);
        var high = await connector.Next().WaitAsync(AdapterUnderTest.Wait);
        Assert.Equal("smpp-send-sms.instasent.high", high.QueueName);
        var normal = connector.Next();
        Assert.False(normal.IsCompleted, "the normal queue was connected before the high one was consuming");

        high.Ready.SetResult(null!);
        Assert.Equal("smpp-send-sms.instasent", (await normal.WaitAsync(AdapterUnderTest.Wait)).QueueName);
        Assert.False(adapter.Gate.IsOpen("instasent"));
        (await normal).Ready.SetResult(null!);
        await adapter.UntilAsync(() => adapter.Gate.IsOpen("instasent"), "both queues consumed");

        var stopping = adapter.Host.StopAsync();
        Assert.True(await high.StopCalled.Task.WaitAsync(AdapterUnderTest.Wait));
        Assert.True(await (await normal).StopCalled.Task.WaitAsync(AdapterUnderTest.Wait));
        high.Stopped.SetResult();
        (await normal).Stopped.SetResult();
        await stopping.WaitAsync(AdapterUnderTest.Wait);
        Assert.False(adapter.Gate.IsOpen("instasent"));
    }

    [Fact]
    public async Task A_stop_while_the_queue_endpoint_is_starting_stops_it_only_once_it_is_ready()
    {
        var connector = new ManualEndpointConnector();
        var stopQueued = new StopQueuedListener();
        await using var adapter = await AdapterUnderTest.StartAsync(services: s =>
        {
            s.AddSingleton<IReceiveEndpointConnector>(connector);
            s.AddSingleton<ILoggerProvider>(stopQueued);
        }, waitForBind: false);
        var endpoint = await connector.Next().WaitAsync(AdapterUnderTest.Wait);
        Assert.Equal("smpp-send-sms.instasent.high", endpoint.QueueName);
        Assert.False(adapter.Gate.IsOpen("instasent"));
        ManualEndpoint? normal = null;

        try
        {
            var stopping = adapter.Host.StopAsync();
            // Stopping a RabbitMQ endpoint in the middle of its start can hang MassTransit for good: the gate must wait.
            // The gate says so once the stop is queued behind the start; a gate that did not wait would have stopped it by then.
            Assert.Equal("instasent", await stopQueued.Connections.Task.WaitAsync(AdapterUnderTest.Wait));
            Assert.False(endpoint.StopCalled.Task.IsCompleted, "the endpoint was stopped before it was ready");

            endpoint.Ready.SetResult(null!);
            // The gate's step finishes (it connects the normal queue) before the stop takes its turn.
            normal = await connector.Next().WaitAsync(AdapterUnderTest.Wait);
            Assert.False(endpoint.StopCalled.Task.IsCompleted, "the high endpoint was stopped while the normal one was starting");
            normal.Ready.SetResult(null!);
            var readyWhenStopped = await endpoint.StopCalled.Task.WaitAsync(AdapterUnderTest.Wait);
            Assert.True(readyWhenStopped);
            Assert.True(await normal.StopCalled.Task.WaitAsync(AdapterUnderTest.Wait));
            endpoint.Stopped.SetResult();
            normal.Stopped.SetResult();
            await stopping.WaitAsync(AdapterUnderTest.Wait);
        }
        finally
        {
            // Whatever failed above, let the endpoints finish so the adapter's disposal does not wait on them.
            foreach (var e in new[] { endpoint, normal }.OfType<ManualEndpoint>())
            {
                e.Ready.TrySetResult(null!);
                e.Stopped.TrySetResult();
            }
        }
        Assert.False(adapter.Gate.IsOpen("instasent"));
    }

    [Fact]
    public async Task An_endpoint_that_never_starts_or_stops_holds_the_stop_no_longer_than_the_shutdown_budget()
    {
        var connector = new ManualEndpointConnector();
        await using var adapter = await AdapterUnderTest.StartAsync(
            new Dictionary<string, string?> { ["Adapter:ShutdownTimeout"] = "00:00:01" },
            services: s => s.AddSingleton<IReceiveEndpointConnector>(connector), waitForBind: false);
        var endpoint = await connector.Next().WaitAsync(AdapterUnderTest.Wait);

        // Neither Ready nor the stop ever completes; the host's stop still returns (the bound is the test's hang guard).
        await adapter.Host.StopAsync().WaitAsync(AdapterUnderTest.Wait);
        Assert.False(endpoint.StopCalled.Task.IsCompleted, "an endpoint that never became ready was stopped mid-start");
    }

    /// <summary>Completes with the connections named when the gate reports <see cref="ConnectionQueueGate.StopQueued"/>.</summary>
    private sealed class StopQueuedListener : ILoggerProvider, ILogger
    {
        public TaskCompletionSource<string> Connections { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ILogger CreateLogger(string categoryName) => categoryName == typeof(ConnectionQueueGate).FullName ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId == ConnectionQueueGate.StopQueued && state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                Connections.TrySetResult(values.Single(v => v.Key == "Connections").Value as string ?? "");
            }
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public void Dispose()
        {
        }
    }

    private sealed class ManualEndpointConnector : IReceiveEndpointConnector
    {
        private readonly System.Threading.Channels.Channel<ManualEndpoint> _connected = System.Threading.Channels.Channel.CreateUnbounded<ManualEndpoint>();

        /// <summary>The next endpoint the gate connects, in the order it connects them.</summary>
        public Task<ManualEndpoint> Next() => _connected.Reader.ReadAsync().AsTask();

        public HostReceiveEndpointHandle ConnectReceiveEndpoint(string queueName,
            Action<IBusRegistrationContext, IReceiveEndpointConfigurator>? configureEndpoint = null)
        {
            var endpoint = new ManualEndpoint(queueName);
            _connected.Writer.TryWrite(endpoint);
            return endpoint;
        }

        public HostReceiveEndpointHandle ConnectReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter = null,
            Action<IBusRegistrationContext, IReceiveEndpointConfigurator>? configureEndpoint = null) =>
            throw new NotSupportedException("the gate connects queues by name");
    }

    private sealed class ManualEndpoint(string queueName) : HostReceiveEndpointHandle
    {
        public string QueueName { get; } = queueName;

        public TaskCompletionSource<ReceiveEndpointReady> Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the gate stops the endpoint, with whether it was ready by then.</summary>
        public TaskCompletionSource<bool> StopCalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReceiveEndpoint ReceiveEndpoint => throw new NotSupportedException();

        Task<ReceiveEndpointReady> HostReceiveEndpointHandle.Ready => Ready.Task;

        public Task StopAsync(CancellationToken cancellationToken = default)
        {
            StopCalled.TrySetResult(Ready.Task.IsCompleted);
            // Like MassTransit's stop of an endpoint stuck in its start: the token is not observed.
            return Stopped.Task;
        }
    }
}
