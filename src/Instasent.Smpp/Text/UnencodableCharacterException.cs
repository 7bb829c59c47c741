using System.Globalization;
using System.Text;

namespace Instasent.Smpp.Text;

/// <summary>The text holds a character the requested alphabet cannot carry.</summary>
public sealed class UnencodableCharacterException : ArgumentException
{
    public UnencodableCharacterException(string character, int index, SmsAlphabet alphabet)
        : base(Describe(character, index, alphabet), "text")
    {
        Character = character;
        Index = index;
        Alphabet = alphabet;
    }

    /// <summary>The first offending character (two UTF-16 units when it is a surrogate pair).</summary>
    public string Character { get; }

    /// <summary>Its index (in UTF-16 units) in the text.</summary>
    public int Index { get; }

    /// <summary>The alphabet it does not fit.</summary>
    public SmsAlphabet Alphabet { get; }

    internal static UnencodableCharacterException At(ReadOnlySpan<char> text, int index, SmsAlphabet alphabet)
    {
        var length = char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;
        return new UnencodableCharacterException(text.Slice(index, length).ToString(), index, alphabet);
    }

    private static string Describe(string character, int index, SmsAlphabet alphabet)
    {
        var codePoint = Rune.TryGetRuneAt(character, 0, out var rune) ? rune.Value : character[0];
        var shown = char.IsControl(character[0]) || char.IsSurrogate(character[0]) && character.Length == 1 ? "" : $"'{character}' ";
        return string.Create(CultureInfo.InvariantCulture,
            $"Character {shown}(U+{codePoint:X4}) at index {index} cannot be encoded in {alphabet} (data_coding {(byte)alphabet}); use Ucs2 or remove the character.");
    }
}
