using Instasent.Smpp.Pdus;
using Instasent.Smpp.Text;
using Instasent.SmppAdapter.Simulator;

namespace Instasent.Smpp.TestSupport;

/// <summary>
/// Our simulator as a test peer, shared by the simulator tests and the protocol tests that drive it: a started simulator
/// per test, binds and submits with sane defaults.
/// </summary>
public static class Sim
{
    public const string User = "myuser";
    public const string Password = "mypass";

    public static SimulatorOptions Options(params SimulatorAccount[] accounts) => new()
    {
        Accounts = accounts.Length > 0 ? accounts : [new SimulatorAccount(User, Password)],
        ReceiptDelay = TimeSpan.FromMilliseconds(50),
        DeliverRetryDelay = TimeSpan.FromMilliseconds(50),
    };

    public static async Task<SmscSimulator> StartAsync(SimulatorOptions? options = null)
    {
        var simulator = new SmscSimulator(options ?? Options());
        await simulator.StartAsync();
        return simulator;
    }

    public static BindTransceiver Transceiver(byte version = InterfaceVersion.V34, string user = User, string password = Password) =>
        new() { SystemId = user, Password = password, InterfaceVersion = version };

    public static BindTransmitter Transmitter(byte version = InterfaceVersion.V34, string user = User, string password = Password) =>
        new() { SystemId = user, Password = password, InterfaceVersion = version };

    public static BindReceiver Receiver(byte version = InterfaceVersion.V34, string user = User, string password = Password) =>
        new() { SystemId = user, Password = password, InterfaceVersion = version };

    /// <summary>A submit_sm Instasent accepts: GSM 7-bit "Hello", alphanumeric sender, E.164 destination, receipt requested.</summary>
    public static SubmitSm Submit(string text = "Hello", byte registeredDelivery = 1) => new()
    {
        SourceAddrTon = Ton.Alphanumeric,
        SourceAddr = "Instasent",
        DestAddrTon = Ton.International,
        DestAddrNpi = Npi.Isdn,
        DestinationAddr = "34676388300",
        RegisteredDelivery = registeredDelivery,
        DataCoding = 0,
        ShortMessage = Gsm7.Encode(text),
    };
}
