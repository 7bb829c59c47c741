using System.Text.Json;

namespace Instasent.SmppAdapter.Stores;

/// <summary>How the Redis stores write their values: System.Text.Json, camelCase (the contract's own casing).</summary>
internal static class RedisStoreJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
