using StackExchange.Redis;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// This process's one subscription to a Redis channel, shared by every caller that needs it: made by the first, made
/// again after one that failed. A caller stops waiting for it when its token fires (StackExchange.Redis takes none, and
/// an unreachable Redis answers only at its timeout); the subscription itself goes on for the next caller, so a cancelled
/// wait never leaves a second subscription (and a second handler) behind.
/// </summary>
internal sealed class RedisSubscription(IConnectionMultiplexer redis, RedisChannel channel)
{
    private readonly Lock _subscribing = new();
    private Task? _subscription;

    /// <summary>
    /// Subscribed with <paramref name="onMessage"/> (the handler of the call that subscribes is the one kept: every caller
    /// passes the same), or waiting for it until <paramref name="cancellationToken"/> fires.
    /// </summary>
    public Task SubscribeAsync(Action<string> onMessage, CancellationToken cancellationToken)
    {
        var subscription = Volatile.Read(ref _subscription);
        if (subscription is null || subscription.IsFaulted || subscription.IsCanceled)
        {
            lock (_subscribing)
            {
                subscription = _subscription;
                if (subscription is null || subscription.IsFaulted || subscription.IsCanceled)
                {
                    _subscription = subscription = redis.GetSubscriber().SubscribeAsync(channel, (_, message) => onMessage(message.ToString()));
                }
            }
        }
        return subscription.WaitAsync(cancellationToken);
    }
}
