using System.Globalization;
using Instasent.Smpp.Messages;

namespace Instasent.SmppAdapter.Simulator;

/// <summary>
/// Relative weights of the final states receipts report (DELIVRD, UNDELIV, EXPIRED, REJECTD). States are dealt
/// deterministically (smooth weighted round-robin), so <c>DELIVRD=1,UNDELIV=1</c> alternates exactly and any run of
/// <see cref="TotalWeight"/> receipts has exactly the configured counts.
/// </summary>
public sealed record ReceiptMix(int Delivered, int Undeliverable = 0, int Expired = 0, int Rejected = 0)
{
    public static ReceiptMix AllDelivered { get; } = new(1);

    public int TotalWeight => Delivered + Undeliverable + Expired + Rejected;

    /// <summary>The states with a positive weight, as (state, weight).</summary>
    public IEnumerable<(MessageState State, int Weight)> Weights()
    {
        if (Delivered > 0)
        {
            yield return (MessageState.Delivered, Delivered);
        }

        if (Undeliverable > 0)
        {
            yield return (MessageState.Undeliverable, Undeliverable);
        }

        if (Expired > 0)
        {
            yield return (MessageState.Expired, Expired);
        }

        if (Rejected > 0)
        {
            yield return (MessageState.Rejected, Rejected);
        }
    }

    public void Validate()
    {
        if (Delivered < 0 || Undeliverable < 0 || Expired < 0 || Rejected < 0 || TotalWeight == 0)
        {
            throw new ArgumentException($"receipt mix {this} needs non-negative weights and at least one above 0");
        }
    }

    /// <summary>Parses <c>DELIVRD=90,UNDELIV=5,EXPIRED=3,REJECTD=2</c>; states left out weigh 0.</summary>
    public static ReceiptMix Parse(string text)
    {
        int delivered = 0, undeliverable = 0, expired = 0, rejected = 0;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || !int.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var weight))
            {
                throw new FormatException($"receipt mix entry '{part}' is not STATE=weight (e.g. DELIVRD=90)");
            }

            switch (pair[0].ToUpperInvariant())
            {
                case "DELIVRD": delivered = weight; break;
                case "UNDELIV": undeliverable = weight; break;
                case "EXPIRED": expired = weight; break;
                case "REJECTD": rejected = weight; break;
                default: throw new FormatException($"receipt mix state '{pair[0]}' is not one of DELIVRD, UNDELIV, EXPIRED, REJECTD");
            }
        }
        var mix = new ReceiptMix(delivered, undeliverable, expired, rejected);
        if (mix.TotalWeight == 0)
        {
            throw new FormatException($"receipt mix '{text}' gives every state weight 0");
        }

        return mix;
    }

    public override string ToString() =>
        string.Join(",", Weights().Select(w => $"{w.State.ToSmppName()}={w.Weight}"));
}

/// <summary>Deals states from a <see cref="ReceiptMix"/> (nginx's smooth weighted round-robin). Thread-safe.</summary>
internal sealed class ReceiptStateDealer
{
    private readonly (MessageState State, int Weight)[] _weights;
    private readonly int[] _current;
    private readonly int _total;
    private readonly Lock _lock = new();

    public ReceiptStateDealer(ReceiptMix mix)
    {
        mix.Validate();
        _weights = mix.Weights().ToArray();
        _current = new int[_weights.Length];
        _total = mix.TotalWeight;
    }

    public MessageState Next()
    {
        if (_weights.Length == 1)
        {
            return _weights[0].State;
        }

        lock (_lock)
        {
            var best = 0;
            for (var i = 0; i < _weights.Length; i++)
            {
                _current[i] += _weights[i].Weight;
                if (_current[i] > _current[best])
                {
                    best = i;
                }
            }
            _current[best] -= _total;
            return _weights[best].State;
        }
    }
}
