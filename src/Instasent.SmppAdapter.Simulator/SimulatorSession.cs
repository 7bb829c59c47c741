using System.IO.Pipelines;
using System.Net.Sockets;

namespace Instasent.SmppAdapter.Simulator;

internal enum BindKind
{
    None,
    Transmitter,
    Receiver,
    Transceiver,
}

/// <summary>
/// One ESME session (a bound TCP connection), server side. A read loop frames PDUs out of a <see cref="PipeReader"/> and answers them; every
/// write (answers, receipts, MO, delayed answers) goes through one gate into one <see cref="PipeWriter"/>. The read loop
/// collects all answers to what it has buffered and flushes them once, so a window of submit_sm costs one send.
/// The parts live in files by concern: <c>.ReadLoop</c> (framing and dispatch), <c>.Bind</c>, <c>.Submit</c>,
/// <c>.Deliveries</c> (deliver_sm out, deliver_sm_resp in), <c>.Write</c> and <c>.Close</c>.
/// </summary>
internal sealed partial class SimulatorSession
{
    private readonly SmscSimulator _simulator;
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly List<Pdu> _replies = [];
    private readonly Dictionary<uint, PendingDelivery> _outstanding = [];
    private readonly Lock _outstandingLock = new();
    private readonly bool _verbose;
    private bool _closed; // guarded by _outstandingLock
    private int _closeStarted;
    private int _sequence;
    private long _pdusReceived;
    private Task _run = Task.CompletedTask;
    private CancellationTokenRegistration _stopRegistration;

    public SimulatorSession(SmscSimulator simulator, Socket socket, long id)
    {
        _simulator = simulator;
        _socket = socket;
        Id = id;
        _verbose = simulator.Options.Verbose;
        // Answers are small and latency-bound; Nagle would hold them back (and batching is done above TCP).
        socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024));
        Remote = socket.RemoteEndPoint?.ToString() ?? "?";
    }

    public long Id { get; }

    public string Remote { get; }

    public BindKind Bind { get; private set; }

    public AccountState? Account { get; private set; }

    public byte InterfaceVersion { get; private set; }

    /// <summary>deliver_sm outstanding on this session; guarded by <see cref="Account"/>'s lock.</summary>
    public int Window { get; set; }

    /// <summary>Completes when the connection has closed and its deliveries were handed back.</summary>
    public Task Completion => _run;

    private SimulatorFaults Faults => _simulator.Faults;

    private StatsCounters Counters => _simulator.Counters;

    public void Start(CancellationToken stopping)
    {
        _stopRegistration = stopping.Register(static state => ((SimulatorSession)state!).Abort(), this);
        _run = RunAsync();
    }
}
