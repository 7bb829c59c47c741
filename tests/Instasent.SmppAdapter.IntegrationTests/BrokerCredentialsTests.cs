using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;

namespace Instasent.SmppAdapter.IntegrationTests;

/// <summary>The RabbitMQ credentials can come apart from RabbitMq:Uri, the password from a key-per-file secret.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class BrokerCredentialsTests(RabbitMqBroker broker) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("adapter-broker-secrets-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Username_and_PasswordFile_win_over_wrong_credentials_in_the_uri()
    {
        var user = Uri.UnescapeDataString(broker.Uri.UserInfo.Split(':')[0]);
        var password = Uri.UnescapeDataString(broker.Uri.UserInfo.Split(':')[1]);
        var passwordFile = Path.Combine(_directory, "rabbitmq-password");
        await File.WriteAllTextAsync(passwordFile, password + "\n");

        // The URI alone would be refused by the broker: only the credentials given apart let the adapter in.
        await using var run = await AdapterOnBroker.StartAsync(broker,
            new Dictionary<string, string?>
            {
                ["RabbitMq:Username"] = user,
                ["RabbitMq:PasswordFile"] = passwordFile,
            },
            adapterBrokerUri: uri => new UriBuilder(uri) { UserName = "nobody", Password = "wrong" }.Uri);
        await run.Bus.PublishAsync(new SendSms { MessageId = "creds-1", From = "Instasent", To = "+34612345678", Text = "credentials apart" });

        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Any(s => s.MessageId == "creds-1"), "the outcome of a command the adapter consumed");
        Assert.Single(run.AcceptedSubmits);
    }
}
