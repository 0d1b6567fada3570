using System.Text;
using Amazon.KeyManagementService;

namespace Keyhaven.Server.Tests.Infrastructure;

/// <summary>Shared helpers of the KMS authorization tests.</summary>
public static class KmsAssert
{
    /// <summary>Asserts AccessDeniedException: the KMS SDK has no type for it, it is the service exception with that code.</summary>
    public static async Task<AmazonKeyManagementServiceException> DeniedAsync(Func<Task> call)
    {
        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(call);
        Assert.Equal("AccessDeniedException", error.ErrorCode);
        return error;
    }

    /// <summary>Asserts an error by its AWS code, for the codes the KMS SDK has no exception type for (ValidationException, …).</summary>
    public static async Task<AmazonKeyManagementServiceException> FailsAsync(string errorCode, Func<Task> call)
    {
        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(call);
        Assert.Equal(errorCode, error.ErrorCode);
        return error;
    }

    /// <summary>A plaintext stream of UTF-8 text.</summary>
    public static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));
}
