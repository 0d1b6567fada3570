namespace Keyhaven.Identity.Organizations;

/// <summary>The AWS Organizations error codes this server raises (the wire name is the member name).</summary>
public enum OrganizationErrorCode
{
    AccessDeniedException,
    AWSOrganizationsNotInUseException,
    AlreadyInOrganizationException,
    AccountNotFoundException,
    ChildNotFoundException,
    ConstraintViolationException,
    CreateAccountStatusNotFoundException,
    DestinationParentNotFoundException,
    DuplicateAccountException,
    DuplicateOrganizationalUnitException,
    DuplicatePolicyAttachmentException,
    DuplicatePolicyException,
    InvalidInputException,
    MalformedPolicyDocumentException,
    MasterCannotLeaveOrganizationException,
    OrganizationalUnitNotFoundException,
    ParentNotFoundException,
    PolicyInUseException,
    PolicyNotAttachedException,
    PolicyNotFoundException,
    PolicyTypeAlreadyEnabledException,
    RootNotFoundException,
    SourceParentNotFoundException,
    TargetNotFoundException,
}
