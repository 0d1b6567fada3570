namespace Keyhaven.SigV4;

/// <summary>
/// The credential scope of a SigV4 signature, <c>date/region/service/aws4_request</c>.
/// spec: AWS SigV4 "Create a string to sign", CredentialScope.
/// </summary>
/// <param name="Date">UTC date of the signature (the scope's <c>YYYYMMDD</c>).</param>
/// <param name="Region">Region, e.g. <c>us-east-1</c>.</param>
/// <param name="Service">Signing name of the service, e.g. <c>kms</c>.</param>
public readonly record struct CredentialScope(DateOnly Date, string Region, string Service)
{
    /// <summary>Formats the scope as <c>YYYYMMDD/region/service/aws4_request</c>.</summary>
    public override string ToString() =>
        $"{Date.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture)}/{Region}/{Service}/aws4_request";
}
