using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Instasent.Smpp.Client;
using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Tests.Client;

/// <summary>
/// An SMSC on 127.0.0.1 that does exactly what a test tells it: answers binds, enquire_link and unbind by itself
/// (each can be turned off), hands every other PDU to the test, and sends whatever the test asks, raw bytes included.
/// Uses the library's codec, over a real socket.
/// </summary>
internal sealed class ScriptedSmsc : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly TcpListener _listener;
    private readonly Channel<SmscConnection> _accepted = Channel.CreateUnbounded<SmscConnection>();
    private readonly List<SmscConnection> _connections = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _acceptedCount;

    private ScriptedSmsc(X509Certificate2? certificate)
    {
        Certificate = certificate;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public static ScriptedSmsc Start() => new(null);

    /// <summary>An SMSC that speaks TLS with a fresh self-signed certificate for <c>localhost</c>.</summary>
    public static ScriptedSmsc StartTls() => new(SelfSignedCertificate());

    public X509Certificate2? Certificate { get; }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    public int Port { get; }

    public int AcceptedCount => Volatile.Read(ref _acceptedCount);

    /// <summary>command_status for bind responses on connections accepted from now on.</summary>
    public CommandStatus BindStatus { get; set; } = CommandStatus.ESME_ROK;

    /// <summary>sc_interface_version TLV in a successful bind response; null leaves it out.</summary>
    public byte? ScInterfaceVersion { get; set; } = InterfaceVersion.V34;

    public bool AnswerBind { get; set; } = true;

    public bool AnswerEnquireLink { get; set; } = true;

    public bool AnswerUnbind { get; set; } = true;

    /// <summary>Answers submit_sm by itself when set (null response: hand it to the test instead).</summary>
    public Func<SubmitSm, Pdu?>? SubmitResponder { get; set; }

    public SmppSessionOptions Options(string connectionName = "scripted") => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        SystemId = "esme",
        Password = "secret",
        ConnectionName = connectionName,
        EnquireLinkInterval = TimeSpan.Zero,
        UnbindTimeout = TimeSpan.FromSeconds(5),
    };

    public async Task<SmscConnection> AcceptAsync() => await _accepted.Reader.ReadAsync().AsTask().WaitAsync(Wait);

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _acceptedCount);
                var connection = new SmscConnection(this, socket);
                lock (_connections)
                {
                    _connections.Add(connection);
                }

                _accepted.Writer.TryWrite(connection);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
        SmscConnection[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        _stop.Dispose();
        Certificate?.Dispose();
    }
}

/// <summary>One accepted ESME connection, seen from the SMSC.</summary>
internal sealed class SmscConnection : IAsyncDisposable
{
    private readonly ScriptedSmsc _smsc;
    private readonly Socket _socket;
    private readonly NetworkStream _network;
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Channel<Pdu> _forTest = Channel.CreateUnbounded<Pdu>();
    private readonly List<Pdu> _all = [];
    private readonly Task _readLoop;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CommandStatus _bindStatus;
    private readonly byte? _scInterfaceVersion;
    private uint _sequence;

    public SmscConnection(ScriptedSmsc smsc, Socket socket)
    {
        _smsc = smsc;
        _socket = socket;
        _socket.NoDelay = true;
        _network = new NetworkStream(socket, ownsSocket: true);
        _bindStatus = smsc.BindStatus;
        _scInterfaceVersion = smsc.ScInterfaceVersion;
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Completes when the ESME closes the connection (or it is dropped).</summary>
    public Task Closed => _closed.Task;

    /// <summary>Every PDU received, auto-answered ones included, in order.</summary>
    public IReadOnlyList<Pdu> All
    {
        get { lock (_all)
            {
                return [.. _all];
            }
        }
    }

    /// <summary>The next PDU the SMSC did not answer by itself.</summary>
    public async Task<Pdu> ReceiveAsync() => await _forTest.Reader.ReadAsync().AsTask().WaitAsync(ScriptedSmsc.Wait);

    public async Task<T> ReceiveAsync<T>() where T : Pdu
    {
        var pdu = await ReceiveAsync();
        return pdu as T ?? throw new Xunit.Sdk.XunitException($"expected {typeof(T).Name}, received {pdu}");
    }

    /// <summary>
    /// Sends enquire_link, waits for its enquire_link_resp and returns what the ESME sent before it that the test has not
    /// received. The session answers enquire_link itself through its one write loop, behind whatever it had queued by
    /// then, so anything it had decided to send is in this list: absence proven by order, not by waiting.
    /// </summary>
    public async Task<IReadOnlyList<Pdu>> SentBeforeEnquireLinkRespAsync()
    {
        var marker = new EnquireLink();
        await SendAsync(marker);
        var before = new List<Pdu>();
        while (await ReceiveAsync() is var pdu && !(pdu is EnquireLinkResp && pdu.SequenceNumber == marker.SequenceNumber))
        {
            before.Add(pdu);
        }

        return before;
    }

    /// <summary>Waits (bounded) until a PDU matching <paramref name="match"/> has been received, auto-answered or not.</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool>? match = null) where T : Pdu
    {
        var deadline = DateTime.UtcNow + ScriptedSmsc.Wait;
        while (true)
        {
            Task signal;
            lock (_all)
            {
                foreach (var pdu in _all)
                {
                    if (pdu is T typed && (match is null || match(typed)))
                    {
                        return typed;
                    }
                }
                signal = _received.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"no {typeof(T).Name} received within {ScriptedSmsc.Wait}");
            }

            await Task.WhenAny(signal, Task.Delay(left));
        }
    }

    /// <summary>Sends a PDU; a request without a sequence_number gets the next one.</summary>
    public async Task SendAsync(Pdu pdu)
    {
        if (pdu.SequenceNumber == 0)
        {
            pdu.SequenceNumber = Interlocked.Increment(ref _sequence);
        }

        await SendRawAsync(PduCodec.Encode(pdu));
    }

    public async Task SendRawAsync(byte[] bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await (await _stream.Task.WaitAsync(ScriptedSmsc.Wait)).WriteAsync(bytes);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Answers <paramref name="request"/> with its response and <paramref name="status"/>.</summary>
    public Task AnswerAsync(Pdu request, CommandStatus status = CommandStatus.ESME_ROK, string? messageId = null)
    {
        var response = request.CreateResponse(status)!;
        if (messageId is not null && response is MessageIdResponse withId)
        {
            withId.MessageId = messageId;
        }

        return SendAsync(response);
    }

    /// <summary>Drops the TCP connection without unbind, as a crashing SMSC or a firewall would.</summary>
    public void Drop()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    private async Task ReadLoopAsync()
    {
        Stream stream = _network;
        PipeReader? reader = null;
        try
        {
            if (_smsc.Certificate is { } certificate)
            {
                var tls = new SslStream(_network, leaveInnerStreamOpen: true);
                await tls.AuthenticateAsServerAsync(certificate).WaitAsync(ScriptedSmsc.Wait);
                stream = tls;
            }
            _stream.TrySetResult(stream);
            reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                while (PduCodec.TryRead(ref buffer, out var pdu, out var error) is var status && status != PduReadStatus.NeedMoreData)
                {
                    if (status == PduReadStatus.Error)
                    {
                        throw new InvalidOperationException($"the ESME sent an undecodable PDU: {error}");
                    }

                    await OnPduAsync(pdu!);
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException
            or System.Security.Authentication.AuthenticationException or TimeoutException)
        {
            // Connection gone (or the TLS handshake failed).
            _stream.TrySetException(e);
        }
        finally
        {
            if (reader is not null)
            {
                await reader.CompleteAsync();
            }

            _forTest.Writer.TryComplete();
            _closed.TrySetResult();
        }
    }

    private async Task OnPduAsync(Pdu pdu)
    {
        lock (_all)
        {
            _all.Add(pdu);
            _received.TrySetResult();
            _received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        switch (pdu)
        {
            case BindRequest when _smsc.AnswerBind:
                var response = (BindResponse)pdu.CreateResponse(_bindStatus)!;
                if (_bindStatus == CommandStatus.ESME_ROK)
                {
                    response.SystemId = "scripted";
                    if (_scInterfaceVersion is { } version)
                    {
                        response.Tlvs.ScInterfaceVersion = version;
                    }
                }
                await SendAsync(response);
                return;
            case EnquireLink when _smsc.AnswerEnquireLink:
            case Unbind when _smsc.AnswerUnbind:
                await SendAsync(pdu.CreateResponse()!);
                return;
            case SubmitSm submit when _smsc.SubmitResponder?.Invoke(submit) is { } answer:
                await SendAsync(answer);
                return;
        }
        _forTest.Writer.TryWrite(pdu);
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Close();
        await _readLoop;
        _writeLock.Dispose();
    }
}
