using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;

namespace Instasent.SmppAdapter.Simulator.Tests;

/// <summary>
/// The smallest ESME that can test the simulator: our codec over a real TcpClient, no session logic. Everything the
/// simulator sends lands in an inbox (PDUs, and decode errors for bytes that are not a valid PDU); the helpers wait
/// for what a test expects, with a bound on the wait, and keep the rest for later.
/// </summary>
internal sealed class RawSmppClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(5);

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly Channel<object> _inbox = Channel.CreateUnbounded<object>();
    private readonly List<object> _setAside = [];
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Task _readLoop;
    private int _sequence;

    private RawSmppClient(TcpClient tcp)
    {
        _tcp = tcp;
        _tcp.NoDelay = true;
        _stream = tcp.GetStream();
        _readLoop = ReadLoopAsync(PipeReader.Create(_stream));
    }

    public static async Task<RawSmppClient> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        return new RawSmppClient(tcp);
    }

    /// <summary>Connects and binds; throws when the bind is refused.</summary>
    public static async Task<RawSmppClient> BoundAsync(int port, BindRequest bind)
    {
        var client = await ConnectAsync(port);
        var response = await client.RequestAsync(bind);
        Assert.Equal(CommandStatus.ESME_ROK, response.CommandStatus);
        return client;
    }

    public uint NextSequence() => (uint)Interlocked.Increment(ref _sequence);

    /// <summary>Sends <paramref name="pdu"/>, giving it the next sequence_number unless it has one.</summary>
    public async Task<uint> SendAsync(Pdu pdu)
    {
        if (pdu.SequenceNumber == 0)
        {
            pdu.SequenceNumber = NextSequence();
        }

        await SendRawAsync(PduCodec.Encode(pdu));
        return pdu.SequenceNumber;
    }

    public async Task SendRawAsync(byte[] bytes)
    {
        await _writeGate.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Sends a request and waits for the PDU carrying its sequence_number (a response or generic_nack).</summary>
    public async Task<Pdu> RequestAsync(Pdu request, TimeSpan? wait = null)
    {
        var sequence = await SendAsync(request);
        return await ExpectAsync<Pdu>(p => p.IsResponse && p.SequenceNumber == sequence, wait);
    }

    /// <summary>Sends <paramref name="submit"/> and waits for its submit_sm_resp (a generic_nack fails the test).</summary>
    public async Task<SubmitSmResp> SubmitAsync(SubmitSm submit) => Assert.IsType<SubmitSmResp>(await RequestAsync(submit));

    /// <summary>The next inbox item of type <typeparamref name="T"/> matching <paramref name="match"/>; others stay in the inbox.</summary>
    public async Task<T> ExpectAsync<T>(Func<T, bool>? match = null, TimeSpan? wait = null) where T : class
    {
        using var timeout = new CancellationTokenSource(wait ?? DefaultWait);
        for (var i = 0; i < _setAside.Count; i++)
        {
            if (_setAside[i] is T found && (match?.Invoke(found) ?? true))
            {
                _setAside.RemoveAt(i);
                return found;
            }
        }
        try
        {
            while (true)
            {
                var item = await _inbox.Reader.ReadAsync(timeout.Token);
                if (item is T found && (match?.Invoke(found) ?? true))
                {
                    return found;
                }

                _setAside.Add(item);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no {typeof(T).Name} as expected within {wait ?? DefaultWait}; set aside: {string.Join("; ", _setAside)}");
        }
        catch (ChannelClosedException)
        {
            throw new IOException($"the connection closed before a {typeof(T).Name} as expected arrived; set aside: {string.Join("; ", _setAside)}");
        }
    }

    /// <summary>
    /// Sends <paramref name="marker"/>, waits for its answer and returns what arrived before it that no test has taken.
    /// The simulator answers one connection's PDUs in the order they arrive, so an answer it gave to anything sent
    /// before the marker is in this list: absence proven by order, not by waiting.
    /// </summary>
    public async Task<IReadOnlyList<object>> ArrivedBeforeAnswerToAsync(Pdu marker)
    {
        await RequestAsync(marker);
        return [.. _setAside];
    }

    /// <summary>What arrived and no test has taken; once the connection has closed, all it will ever hold.</summary>
    public IReadOnlyList<object> Untaken()
    {
        while (_inbox.Reader.TryRead(out var item))
        {
            _setAside.Add(item);
        }

        return [.. _setAside];
    }

    /// <summary>Answers <paramref name="deliver"/> with deliver_sm_resp and <paramref name="status"/>.</summary>
    public Task AnswerAsync(DeliverSm deliver, CommandStatus status = CommandStatus.ESME_ROK) => SendAsync(deliver.CreateResponse(status));

    /// <summary>True when the simulator closes the connection within <paramref name="wait"/> (what it sent before is kept).</summary>
    public async Task<bool> ClosedWithinAsync(TimeSpan wait)
    {
        var closed = await Task.WhenAny(_inbox.Reader.Completion, Task.Delay(wait)) == _inbox.Reader.Completion;
        return closed;
    }

    private async Task ReadLoopAsync(PipeReader reader)
    {
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                while (true)
                {
                    var status = PduCodec.TryRead(ref buffer, out var pdu, out var error);
                    if (status == PduReadStatus.NeedMoreData)
                    {
                        break;
                    }

                    _inbox.Writer.TryWrite(status == PduReadStatus.Pdu ? pdu! : error!);
                    if (status == PduReadStatus.Error && !error!.StreamInSync)
                    {
                        return;
                    }
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // Closed or reset by the simulator: the inbox completes below.
        }
        finally
        {
            _inbox.Writer.TryComplete();
            await reader.CompleteAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        await _readLoop;
    }
}
