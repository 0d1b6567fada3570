namespace Keyhaven.Server.Ec2;

/// <summary>An EC2 error: its code (<c>InvalidVpcEndpointId.NotFound</c>, <c>UnauthorizedOperation</c>, …), HTTP status and message.</summary>
internal sealed class Ec2Exception(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public static Ec2Exception InvalidParameterValue(string message) => new(400, "InvalidParameterValue", message);

    public static Ec2Exception MissingParameter(string name) => new(400, "MissingParameter", $"The request must contain the parameter `{name}`.");
}
