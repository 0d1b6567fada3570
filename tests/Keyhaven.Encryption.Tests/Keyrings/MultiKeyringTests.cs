namespace Keyhaven.Encryption.Tests.Keyrings;

/// <summary>The multi-keyring. spec: framework/multi-keyring.md</summary>
public sealed partial class MultiKeyringTests
{
    private static readonly EncryptionClient Client = new();
}
