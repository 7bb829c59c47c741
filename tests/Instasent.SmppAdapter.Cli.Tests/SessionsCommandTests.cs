using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Instasent.SmppAdapter.Cli;

namespace Instasent.SmppAdapter.Cli.Tests;

/// <summary><c>sessions</c>: the adapter's <c>GET /sessions</c> as a table, and a clear line when the adapter is not there.</summary>
public sealed class SessionsCommandTests
{
    private const string Sample = """
        [
          {"connection":"instasent","sessionId":"instasent-1","bindType":"transceiver","state":"Bound",
           "windowInUse":3,"windowSize":50,"boundAt":"2026-03-01T09:00:00+01:00","host":"smpp.instasent.com","port":2775},
          {"connection":"instasent","sessionId":"instasent-2","bindType":"transceiver","state":"Reconnecting",
           "windowInUse":0,"windowSize":50,"boundAt":null,"host":"smpp.instasent.com","port":2775},
          {"connection":"backup","sessionId":"backup-1","bindType":"transmitter","state":"Bound",
           "windowInUse":10,"windowSize":10,"boundAt":"2026-02-27T07:30:00Z","host":"10.0.0.9","port":2776}
        ]
        """;

    private static readonly DateTimeOffset Now = new(2026, 3, 1, 9, 5, 7, TimeSpan.Zero);

    [Fact]
    public void Sessions_render_as_aligned_columns_with_window_and_age()
    {
        using var json = JsonDocument.Parse(Sample);

        var table = SessionsCommand.Table(json.RootElement, Now);

        Assert.Equal(
        [
            "CONNECTION  SESSION      BIND         STATE         WINDOW  SMSC                     BOUND SINCE",
            "instasent   instasent-1  transceiver  Bound         3/50    smpp.instasent.com:2775  2026-03-01 08:00:00Z (1h05m)",
            "instasent   instasent-2  transceiver  Reconnecting  0/50    smpp.instasent.com:2775  -",
            "backup      backup-1     transmitter  Bound         10/10   10.0.0.9:2776            2026-02-27 07:30:00Z (2d01h)",
        ], table);
    }

    [Fact]
    public void A_state_sent_as_a_number_and_missing_fields_still_render()
    {
        using var json = JsonDocument.Parse("""[{"connection":"instasent","sessionId":"s-9","state":2}]""");

        var row = SessionsCommand.Table(json.RootElement, Now)[1];

        Assert.Equal("instasent   s-9      -     2      -/-     -     -", row);
    }

    [Fact]
    public void An_empty_pool_says_so()
    {
        using var json = JsonDocument.Parse("[]");

        Assert.StartsWith("no sessions", Assert.Single(SessionsCommand.Table(json.RootElement, Now)));
    }

    [Fact]
    public async Task An_unreachable_adapter_exits_3_naming_the_url_and_the_option()
    {
        var port = CliRun.UnusedPort();

        var run = await CliRun.Of("sessions", "--adapter-url", $"http://127.0.0.1:{port}");

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Contains($"Cannot reach the adapter at http://127.0.0.1:{port}/sessions", run.Error);
        Assert.Contains("--adapter-url", run.Error);
    }

    [Fact]
    public async Task The_table_comes_from_the_adapters_sessions_endpoint()
    {
        await using var adapter = await OneShotHttpServer.StartAsync("200 OK", Sample);

        var run = await CliRun.Of("sessions", "--adapter-url", adapter.Url);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal("GET /sessions HTTP/1.1", await adapter.RequestLine);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("CONNECTION  SESSION", lines[0]);
        Assert.StartsWith("backup      backup-1     transmitter  Bound         10/10", lines[3]);
    }

    [Fact]
    public async Task With_json_each_session_is_one_line_as_the_adapter_sent_it()
    {
        await using var adapter = await OneShotHttpServer.StartAsync("200 OK", Sample);

        var run = await CliRun.Of("sessions", "--json", "--adapter-url", adapter.Url);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("backup-1", JsonDocument.Parse(lines[2]).RootElement.GetProperty("sessionId").GetString());
    }

    [Fact]
    public async Task An_http_error_from_the_adapter_exits_1_with_the_status()
    {
        await using var adapter = await OneShotHttpServer.StartAsync("503 Service Unavailable", "");

        var run = await CliRun.Of("sessions", "--adapter-url", adapter.Url);

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains($"{adapter.Url}/sessions answered 503 Service Unavailable", run.Error);
    }

    /// <summary>A loopback HTTP/1.1 server that answers one request with a fixed response, over a real socket.</summary>
    private sealed class OneShotHttpServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Task<string> _serving;

        private OneShotHttpServer(TcpListener listener, string status, string body)
        {
            _listener = listener;
            _serving = ServeAsync(status, body);
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public Task<string> RequestLine => _serving.WaitAsync(TimeSpan.FromSeconds(10));

        public static Task<OneShotHttpServer> StartAsync(string status, string body)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return Task.FromResult(new OneShotHttpServer(listener, status, body));
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            try
            {
                await _serving.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or TimeoutException)
            {
                // The test already failed or never connected; the listener is gone either way.
            }
        }

        private async Task<string> ServeAsync(string status, string body)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var client = await _listener.AcceptTcpClientAsync(timeout.Token);
            var stream = client.GetStream();
            var request = new StringBuilder();
            var buffer = new byte[4096];
            while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                request.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            var payload = Encoding.UTF8.GetBytes(body);
            var head = $"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {payload.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), timeout.Token);
            await stream.WriteAsync(payload, timeout.Token);
            return request.ToString().Split("\r\n")[0];
        }
    }
}
