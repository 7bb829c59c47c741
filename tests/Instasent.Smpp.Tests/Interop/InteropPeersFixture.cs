using Instasent.Smpp.TestSupport.Peers;

namespace Instasent.Smpp.Tests.Interop;

/// <summary>The long-lived codec peers, started once for every interop test class that uses them.</summary>
public sealed class InteropPeersFixture : IAsyncLifetime
{
    private NodePduCodec? _node;
    private LibSmpp34? _libSmpp34;

    public NodePduCodec Node => _node ?? throw new InvalidOperationException("the fixture is not started");

    public LibSmpp34 LibSmpp34 => _libSmpp34 ?? throw new InvalidOperationException("the fixture is not started");

    public async Task InitializeAsync()
    {
        _node = NodePduCodec.Start();
        _libSmpp34 = await LibSmpp34.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        if (_libSmpp34 is not null)
        {
            await _libSmpp34.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class InteropPeersCollection : ICollectionFixture<InteropPeersFixture>
{
    public const string Name = "interop peers";
}
