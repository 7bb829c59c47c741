namespace Instasent.Smpp.Messages;

/// <summary>The text needs more segments than allowed.</summary>
public sealed class MessageTooLongException : ArgumentException
{
    public MessageTooLongException(string message) : base(message, "text")
    {
    }
}
