using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

public sealed class PrivateRedisServerTests
{
    [Theory]
    [InlineData("stop")]
    [InlineData("kill")]
    public async Task Data_acknowledged_before_a_stop_or_kill_is_there_after_a_start_on_the_same_port(string interruption)
    {
        await using var server = await PrivateRedisServer.CreateAsync();
        await WriteAsync(server, "outcome", "submitted");

        await (interruption == "kill" ? server.KillAsync() : server.StopAsync());
        await server.StartAsync();

        Assert.Equal("submitted", await ReadAsync(server, "outcome"));
    }

    [Fact]
    public async Task A_stopped_server_refuses_connections()
    {
        await using var server = await PrivateRedisServer.CreateAsync();

        await server.StopAsync();

        Assert.False(server.IsRunning);
        using var client = new TcpClient();
        var error = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, server.Port));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    [Fact]
    public async Task A_paused_server_times_commands_out_and_answers_them_again_once_resumed()
    {
        await using var server = await PrivateRedisServer.CreateAsync();
        var options = ConfigurationOptions.Parse(server.Configuration);
        // Long enough for the writes before the pause on a loaded machine, short enough to keep the test quick.
        options.AsyncTimeout = 2000;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
        var database = connection.GetDatabase();
        await database.StringSetAsync("outcome", "submitted");

        await server.PauseAsync();
        await Assert.ThrowsAsync<RedisTimeoutException>(() => database.StringGetAsync("outcome"));
        await server.ResumeAsync();

        Assert.Equal("submitted", (string?)await database.StringGetAsync("outcome"));
    }

    private static async Task WriteAsync(PrivateRedisServer server, string key, string value)
    {
        await using var connection = await RedisServer.ConnectAsync(server.Configuration);
        await connection.GetDatabase().StringSetAsync(key, value);
    }

    private static async Task<string?> ReadAsync(PrivateRedisServer server, string key)
    {
        await using var connection = await RedisServer.ConnectAsync(server.Configuration);
        return await connection.GetDatabase().StringGetAsync(key);
    }
}
