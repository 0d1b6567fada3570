namespace Keyhaven.Kms.Errors;

/// <summary>The AWS KMS error codes (the <c>__type</c> of an error response) the domain raises.</summary>
public enum KmsErrorCode
{
    AlreadyExistsException,
    DisabledException,
    IncorrectKeyException,
    InvalidAliasNameException,
    InvalidArnException,
    InvalidCiphertextException,
    InvalidKeyUsageException,
    InvalidMarkerException,
    KMSInternalException,
    KMSInvalidStateException,
    LimitExceededException,
    MalformedPolicyDocumentException,
    NotFoundException,
    TagException,
    UnsupportedOperationException,
    ValidationException,
    AccessDeniedException,
    DryRunOperationException,
    SerializationException,
    UnknownOperationException,
    CustomKeyStoreNotFoundException,
    InvalidGrantTokenException,
    InvalidGrantIdException,
    KMSInvalidSignatureException,
    KMSInvalidMacException,
    InvalidImportTokenException,
    ExpiredImportTokenException,
    IncorrectKeyMaterialException,
}
