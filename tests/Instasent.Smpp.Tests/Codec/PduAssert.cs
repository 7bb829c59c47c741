using System.Collections;
using System.Reflection;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Tests.Codec;

/// <summary>Field-by-field comparison of two PDUs through their public properties, so no field is forgotten.</summary>
internal static class PduAssert
{
    public static void Equivalent(Pdu expected, Pdu actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        foreach (var property in FieldsOf(expected.GetType()))
        {
            var want = Normalise(property.GetValue(expected));
            var got = Normalise(property.GetValue(actual));
            Assert.True(Equals(want, got) || want is IList w && got is IList g && w.Cast<object>().SequenceEqual(g.Cast<object>()),
                $"{expected.CommandId.Name()}.{property.Name}: expected {Show(want)}, got {Show(got)}");
        }
    }

    /// <summary>The properties that are PDU fields: public, readable, and settable or the TLV collection.</summary>
    public static IEnumerable<PropertyInfo> FieldsOf(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite || p.PropertyType == typeof(TlvCollection))
            .OrderBy(p => p.Name);

    private static object? Normalise(object? value) => value switch
    {
        ReadOnlyMemory<byte> m => Convert.ToHexString(m.Span),
        TlvCollection tlvs => tlvs.Select(t => $"{t.Tag:X4}={Convert.ToHexString(t.Value.Span)}").ToList(),
        IEnumerable e and not string => e.Cast<object>().ToList(),
        _ => value,
    };

    private static string Show(object? value) =>
        value is IList list ? "[" + string.Join(", ", list.Cast<object>()) + "]" : value?.ToString() ?? "null";
}
