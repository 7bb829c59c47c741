using System.Net;
using System.Net.Sockets;
using System.Text;
using Instasent.Testing;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

public sealed class TcpChaosProxyTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly EchoServer _echo = new();
    private TcpChaosProxy _proxy = null!;

    public Task InitializeAsync()
    {
        _proxy = new TcpChaosProxy(_echo.EndPoint);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _echo.DisposeAsync();
    }

    [Fact]
    public async Task Bytes_pass_through_both_ways_and_are_counted()
    {
        using var client = await ConnectAsync();

        Assert.Equal("hello", await RoundTripAsync(client, "hello"));

        Assert.Equal(1, _proxy.AcceptedConnections);
        Assert.Equal(5, _proxy.BytesToTarget);
        Assert.Equal(5, _proxy.BytesFromTarget);
    }

    [Fact]
    public async Task Cutting_resets_every_live_connection()
    {
        using var first = await ConnectAsync();
        using var second = await ConnectAsync();
        await RoundTripAsync(first, "a");
        await RoundTripAsync(second, "b");

        _proxy.CutAll();

        foreach (var client in new[] { first, second })
        {
            var error = await Assert.ThrowsAsync<SocketException>(() => ReceiveAsync(client, 1));
            Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        }
    }

    [Fact]
    public async Task After_a_cut_new_connections_are_forwarded()
    {
        using (var before = await ConnectAsync())
        {
            await RoundTripAsync(before, "a");
        }

        _proxy.CutAll();

        using var after = await ConnectAsync();

        Assert.Equal("again", await RoundTripAsync(after, "again"));
    }

    [Fact]
    public async Task A_stall_holds_bytes_on_an_open_connection_until_resumed()
    {
        using var client = await ConnectAsync();
        await RoundTripAsync(client, "hello");

        _proxy.Stall();
        await client.SendAsync(Encoding.ASCII.GetBytes("ping"));
        await Eventually.TrueAsync(() => _proxy.HeldBytes == 4, "the proxy holds the 4 bytes sent during the stall", Wait);

        // The bytes are in the proxy's hands, so the server has seen only the first round trip.
        Assert.Equal(5, _echo.ReceivedBytes);
        _proxy.Resume();
        Assert.Equal("ping", await ReceiveAsync(client, 4));
    }

    [Fact]
    public async Task Refusing_new_connections_keeps_the_live_ones()
    {
        using var live = await ConnectAsync();

        _proxy.RefuseNew(true);

        var error = await Assert.ThrowsAsync<SocketException>(ConnectAsync);
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
        Assert.Equal("still", await RoundTripAsync(live, "still"));
    }

    [Fact]
    public async Task Accepting_again_listens_on_the_same_port()
    {
        _proxy.RefuseNew(true);
        _proxy.RefuseNew(false);

        using var client = await ConnectAsync();

        Assert.Equal("back", await RoundTripAsync(client, "back"));
    }

    [Fact]
    public async Task A_connection_to_a_target_that_refuses_is_reset()
    {
        var nowhere = new IPEndPoint(IPAddress.Loopback, PrivateRedisServer.FreeLoopbackPort());
        await using var proxy = new TcpChaosProxy(nowhere);
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);

        // The kernel completes the handshake before the proxy tries the target, so the reset can beat connect's return.
        var error = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            await client.ConnectAsync(proxy.EndPoint);
            await ReceiveAsync(client, 1);
        });

        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
    }

    [Fact]
    public async Task Disposing_resets_live_connections_and_refuses_new_ones()
    {
        using var client = await ConnectAsync();
        await RoundTripAsync(client, "a");

        await _proxy.DisposeAsync();

        await Assert.ThrowsAsync<SocketException>(() => ReceiveAsync(client, 1));
        await Assert.ThrowsAsync<SocketException>(ConnectAsync);
    }

    private async Task<Socket> ConnectAsync()
    {
        var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var cts = new CancellationTokenSource(Wait);
            await client.ConnectAsync(_proxy.EndPoint, cts.Token);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static async Task<string> RoundTripAsync(Socket client, string text)
    {
        await client.SendAsync(Encoding.ASCII.GetBytes(text));
        return await ReceiveAsync(client, text.Length);
    }

    /// <summary>Exactly <paramref name="count"/> bytes, as ASCII; a reset throws SocketException, an end of stream EndOfStreamException.</summary>
    private static async Task<string> ReceiveAsync(Socket client, int count)
    {
        using var cts = new CancellationTokenSource(Wait);
        var buffer = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            var read = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cts.Token);
            if (read == 0)
            {
                throw new EndOfStreamException($"the connection was closed after {filled} of {count} bytes");
            }

            filled += read;
        }
        return Encoding.ASCII.GetString(buffer);
    }


    /// <summary>Echoes every byte back on each connection it accepts on 127.0.0.1, and counts them.</summary>
    private sealed class EchoServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stopping = new();
        private readonly Task _accepting;
        private long _received;

        public EchoServer()
        {
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

        public long ReceivedBytes => Interlocked.Read(ref _received);

        public async ValueTask DisposeAsync()
        {
            await _stopping.CancelAsync();
            _listener.Stop();
            await _accepting.WaitAsync(Wait);
            _stopping.Dispose();
        }

        private async Task AcceptAsync()
        {
            var connections = new List<Task>();
            try
            {
                while (true)
                {
                    connections.Add(EchoAsync(await _listener.AcceptSocketAsync(_stopping.Token)));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
            await Task.WhenAll(connections);
        }

        private async Task EchoAsync(Socket socket)
        {
            using var _ = socket;
            var buffer = new byte[4096];
            try
            {
                int read;
                while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token)) > 0)
                {
                    Interlocked.Add(ref _received, read);
                    await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stopping.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
            }
        }
    }
}
