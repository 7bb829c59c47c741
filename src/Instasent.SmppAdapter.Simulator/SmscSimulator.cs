using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Instasent.SmppAdapter.Simulator;

/// <summary>
/// An SMSC that behaves like Instasent's as its public SMPP documentation describes it: accounts and bind limits,
/// SMPP 3.4 and 5.0 binds, Instasent's PDUs only, submit_sm checked as Instasent checks it, delivery receipts and
/// injected MO messages over deliver_sm, and faults on demand. Runs standalone (Program.cs) or hosted in a test.
/// </summary>
public sealed partial class SmscSimulator : IAsyncDisposable
{
    private readonly Dictionary<string, AccountState> _accounts;
    private readonly ConcurrentDictionary<long, SimulatorSession> _connections = new();
    private readonly ConcurrentDictionary<SegmentKey, int> _acceptedSegments = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ReceiptStateDealer _dealer;
    private readonly ReceivedSubmit?[] _history;
    private readonly Lock _historyLock = new();
    private long _historyCount;
    private long _nextConnectionId;
    private long _nextMessageId;
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private Task _schedulerLoop = Task.CompletedTask;
    private int _state; // 0 new, 1 started, 2 stopped

    public SmscSimulator(SimulatorOptions options)
    {
        options.Validate();
        Options = options;
        _dealer = new ReceiptStateDealer(options.ReceiptMix);
        _accounts = options.Accounts.ToDictionary(a => a.SystemId, a => new AccountState(a, options.DeliverWindow), StringComparer.Ordinal);
        _history = new ReceivedSubmit?[options.SubmitHistory];
        Log = options.LoggerFactory.CreateLogger<SmscSimulator>();
        // Ids from the start time (seconds << 16) keep a restarted simulator from reusing an earlier run's ids.
        _nextMessageId = (options.FirstMessageId ?? (options.TimeProvider.GetUtcNow().ToUnixTimeSeconds() << 16)) - 1;
        Faults.HoldReleased += ReleaseHeldResponses;
    }

    public SimulatorOptions Options { get; }

    /// <summary>Misbehaviour on demand; change it at any time.</summary>
    public SimulatorFaults Faults { get; } = new();

    /// <summary>The port the simulator listens on (the ephemeral one when <see cref="SimulatorOptions.Port"/> is 0).</summary>
    public int Port { get; private set; }

    public IPEndPoint EndPoint => new(IPAddress.Parse(Options.Host), Port);

    public SimulatorStats Stats => Counters.Snapshot() with { DeliveriesWaitingForReceiver = _accounts.Values.Sum(a => a.WaitingCount) };

    /// <summary>
    /// Raised for every submit_sm accepted, on the session's read loop before submit_sm_resp is written: keep handlers
    /// short (write to a Channel). An exception from a handler is logged and otherwise ignored.
    /// </summary>
    public event Action<ReceivedSubmit>? SubmitAccepted;

    internal StatsCounters Counters { get; } = new();

    internal ILogger Log { get; }

    internal TimeProvider Time => Options.TimeProvider;

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The simulator was already started; create a new one to start again");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var endPoint = new IPEndPoint(IPAddress.Parse(Options.Host), Options.Port);
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(endPoint);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptLoopAsync(listener, _stopping.Token);
        _schedulerLoop = RunSchedulerAsync(_stopping.Token);
        Log.LogInformation("SMSC simulator listening on {Host}:{Port} for {Accounts}", Options.Host, Port, string.Join(", ", Options.Accounts));
        return Task.CompletedTask;
    }

    /// <summary>Stops listening and closes every session (no unbind: the ESME sees the connection end).</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        await DropAllConnectionsAsync().ConfigureAwait(false);
        await _schedulerLoop.ConfigureAwait(false);
        FailPendingDeliveries("the simulator stopped");
        Log.LogInformation("SMSC simulator on port {Port} stopped", Port);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Resets every open connection (bound or not) and waits until each has closed.</summary>
    public async Task DropAllConnectionsAsync()
    {
        var connections = _connections.Values.ToArray();
        foreach (var connection in connections)
        {
            connection.Abort();
        }

        await Task.WhenAll(connections.Select(c => c.Completion)).ConfigureAwait(false);
    }

    /// <summary>The last <paramref name="last"/> accepted submit_sm, oldest first (at most <see cref="SimulatorOptions.SubmitHistory"/>).</summary>
    public IReadOnlyList<ReceivedSubmit> RecentSubmits(int last = int.MaxValue)
    {
        lock (_historyLock)
        {
            var count = (int)Math.Min(Math.Min(_historyCount, _history.Length), Math.Max(0, last));
            var result = new ReceivedSubmit[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = _history[(_historyCount - count + i) % _history.Length]!;
            }

            return result;
        }
    }

    /// <summary>How often a segment was accepted (0 when never): the same segment resent with the same reference counts again.</summary>
    public int AcceptedCount(SegmentKey segment) => _acceptedSegments.GetValueOrDefault(segment);

    /// <summary>Every segment accepted since the start, with how often, ordered by destination, reference and segment.</summary>
    public IReadOnlyList<SegmentCount> AcceptedSegments() => _acceptedSegments
        .Select(e => new SegmentCount(e.Key.DestinationAddr, e.Key.Reference, e.Key.Segment, e.Value))
        .OrderBy(c => c.DestinationAddr, StringComparer.Ordinal).ThenBy(c => c.Reference).ThenBy(c => c.Segment)
        .ToList();

    private async Task AcceptLoopAsync(Socket listener, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException && stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // A connection reset before accept completed: keep listening.
                Log.LogWarning("accept failed: {Error}", e.SocketErrorCode);
                continue;
            }
            var connection = new SimulatorSession(this, socket, Interlocked.Increment(ref _nextConnectionId));
            _connections[connection.Id] = connection;
            Interlocked.Increment(ref Counters.Connections);
            connection.Start(stopping);
        }
    }

    internal AccountState? FindAccount(string systemId) => _accounts.GetValueOrDefault(systemId);

    internal void OnConnectionClosed(SimulatorSession connection, List<PendingDelivery>? outstanding)
    {
        _connections.TryRemove(connection.Id, out _);
        Interlocked.Decrement(ref Counters.Connections);
        if (connection.Account is { } account)
        {
            account.RemoveBind(connection);
            Interlocked.Decrement(ref Counters.BoundSessions);
        }
        if (outstanding is null)
        {
            return;
        }

        foreach (var delivery in outstanding)
        {
            Retry(delivery, "its session closed before answering");
        }
    }

    internal long NextMessageId() => Interlocked.Increment(ref _nextMessageId);

    internal string ResponseMessageId(long id) => Options.MessageIdFormat switch
    {
        SimulatorMessageIdFormat.Hex or SimulatorMessageIdFormat.HexInResponseDecimalInReceipt => id.ToString("X", CultureInfo.InvariantCulture),
        _ => id.ToString(CultureInfo.InvariantCulture),
    };

    internal string ReceiptMessageId(long id) => Options.MessageIdFormat switch
    {
        SimulatorMessageIdFormat.Hex or SimulatorMessageIdFormat.DecimalInResponseHexInReceipt => id.ToString("X", CultureInfo.InvariantCulture),
        _ => id.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Records an accepted submit_sm and schedules its receipt when one was requested.</summary>
    internal void OnSubmitAccepted(SimulatorSession connection, SubmitSm submit, long id, string responseId)
    {
        Counters.CountSubmitAccepted(Time.GetTimestamp(), Time);
        _acceptedSegments.AddOrUpdate(SegmentKey.Of(submit), 1, static (_, n) => n + 1);
        var now = Time.GetUtcNow();
        if (_history.Length > 0 || SubmitAccepted is not null)
        {
            var received = new ReceivedSubmit(responseId, connection.Account!.Account.SystemId, connection.Id, now, submit);
            if (_history.Length > 0)
            {
                lock (_historyLock)
                {
                    _history[_historyCount++ % _history.Length] = received;
                }
            }
            try
            {
                SubmitAccepted?.Invoke(received);
            }
            catch (Exception e)
            {
                Log.LogError(e, "a SubmitAccepted handler threw");
            }
        }
        ScheduleReceipt(connection.Account!, submit, id, now);
    }
}
