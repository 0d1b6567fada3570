namespace Keyhaven.Cli.Commands.Encryption;

/// <summary>A command-line value that cannot be used; its message is the one line printed before exiting.</summary>
internal sealed class CliInputException(string message) : Exception(message);
