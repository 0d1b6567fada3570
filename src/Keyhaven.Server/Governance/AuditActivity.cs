using Keyhaven.Audit.Reading;

namespace Keyhaven.Server.Governance;

/// <summary>
/// What the audit trail says about use since a point in time: when each resource (key, role, …) last appeared in an
/// event, when each key was last used for a cryptographic operation (or someone tried), and when each role's sessions
/// last made a request.
/// </summary>
internal sealed class AuditActivity
{
    /// <summary>The KMS operations that use a key's material (CloudTrail event names).</summary>
    public static readonly IReadOnlySet<string> KeyUses = new HashSet<string>(StringComparer.Ordinal)
    {
        "Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext", "Sign", "Verify", "GenerateMac", "VerifyMac", "DeriveSharedSecret", "GetPublicKey",
    };

    private readonly Dictionary<string, DateTimeOffset> _lastEvent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lastKeyUse = new(StringComparer.Ordinal);

    private AuditActivity(DateTimeOffset since) => Since = since;

    /// <summary>The start of the period read.</summary>
    public DateTimeOffset Since { get; }

    /// <summary>Reads the events from <paramref name="since"/> on.</summary>
    public static async Task<AuditActivity> ReadAsync(AuditReader reader, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var activity = new AuditActivity(since);
        await foreach (var stored in reader.ReadAsync(new AuditEventFilter { From = since }, cancellationToken: cancellationToken))
        {
            var e = stored.Event;
            foreach (var resource in e.Resources ?? [])
            {
                Touch(activity._lastEvent, resource.Arn, e.EventTime);
                if (resource.Type == "AWS::KMS::Key" && KeyUses.Contains(e.EventName))
                {
                    Touch(activity._lastKeyUse, resource.Arn, e.EventTime);
                }
            }

            if (e.UserIdentity.SessionContext?.SessionIssuer is { Type: "Role" } issuer)
            {
                Touch(activity._lastEvent, issuer.Arn, e.EventTime);
            }

            if (e.UserIdentity.Arn is { } caller)
            {
                Touch(activity._lastEvent, caller, e.EventTime);
            }
        }

        return activity;
    }

    /// <summary>The last event naming <paramref name="arn"/> (as a resource, a caller or a session's role) since <see cref="Since"/>.</summary>
    public DateTimeOffset? LastEvent(string arn) => _lastEvent.TryGetValue(arn, out var time) ? time : null;

    /// <summary>The last cryptographic operation on (or attempted with) key <paramref name="keyArn"/> since <see cref="Since"/>.</summary>
    public DateTimeOffset? LastKeyUse(string keyArn) => _lastKeyUse.TryGetValue(keyArn, out var time) ? time : null;

    private static void Touch(Dictionary<string, DateTimeOffset> last, string arn, DateTimeOffset time)
    {
        if (!last.TryGetValue(arn, out var known) || known < time)
        {
            last[arn] = time;
        }
    }
}
