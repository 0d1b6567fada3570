namespace Keyhaven.Identity.Organizations;

/// <summary>The organization policy types Keyhaven supports (wire names <c>SERVICE_CONTROL_POLICY</c>, <c>RESOURCE_CONTROL_POLICY</c>).</summary>
public enum OrganizationPolicyType
{
    ServiceControlPolicy,
    ResourceControlPolicy,
}
