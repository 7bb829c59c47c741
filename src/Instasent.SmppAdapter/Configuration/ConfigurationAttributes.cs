namespace Instasent.SmppAdapter.Configuration;

/// <summary>A settable property of an options type that configuration never sets (the binding derives it).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotAKeyAttribute : Attribute;

/// <summary>
/// A key-per-file secret: the property holds a file path, and the file's content (without a trailing newline) replaces
/// the property named <see cref="Target"/>, so a password can come from a mounted secret instead of the environment.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretFileAttribute(string target) : Attribute
{
    public string Target { get; } = target;

    /// <summary>The secret in <paramref name="file"/>, or null with <paramref name="error"/> saying why it is unreadable.</summary>
    public static string? TryRead(string file, out string? error)
    {
        try
        {
            error = null;
            // A trailing newline is an editor artefact, never part of a secret.
            return File.ReadAllText(file).TrimEnd('\r', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = e.Message;
            return null;
        }
    }
}
