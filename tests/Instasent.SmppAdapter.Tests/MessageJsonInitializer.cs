using System.Runtime.CompilerServices;

namespace Instasent.SmppAdapter.Tests;

/// <summary>
/// MassTransit's serializer options are process-wide and freeze on first use; contract tests use them directly, so the
/// adapter's settings (lenient SendSms reading, compact JSON) are applied before any test runs, whichever runs first.
/// </summary>
internal static class MessageJsonInitializer
{
    [ModuleInitializer]
    internal static void Initialize() => AdapterHost.ConfigureMessageJson();
}
