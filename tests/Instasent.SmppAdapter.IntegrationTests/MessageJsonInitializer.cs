using System.Runtime.CompilerServices;

namespace Instasent.SmppAdapter.IntegrationTests;

/// <summary>
/// MassTransit's serializer options are process-wide and freeze on first use, and some tests publish or subscribe
/// before any adapter host is built (which applies the adapter's settings): so they are applied before any test runs.
/// </summary>
internal static class MessageJsonInitializer
{
    [ModuleInitializer]
    internal static void Initialize() => AdapterHost.ConfigureMessageJson();
}
