using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Grants;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Tests.Grants;

/// <summary>The grant token format: self-describing, unique per call, bound to its grant by a MAC.</summary>
public sealed class GrantTokenTests
{
    private static Grant NewGrant(KeyId? keyId = null) => new()
    {
        Id = GrantId.From(KmsEnvironment.System.RandomBytes(GrantId.ByteLength)),
        Account = AccountId.Parse("111122223333"),
        Region = "us-east-1",
        KeyId = keyId ?? KeyId.New(Guid.NewGuid()),
        CreatedAt = DateTimeOffset.UnixEpoch,
        GranteePrincipal = "arn:aws:iam::111122223333:role/app",
        Operations = [GrantOperation.Decrypt],
        TokenKey = KmsEnvironment.System.RandomBytes(32),
    };

    [Fact]
    public void A_token_names_its_key_and_grant_and_is_authentic_for_it()
    {
        var grant = NewGrant();
        var text = GrantToken.Create(grant, SystemRandomSource.Instance);

        Assert.True(GrantToken.TryParse(text, out var token));
        Assert.Equal(grant.KeyArn, token.KeyArn);
        Assert.Equal(grant.Id, token.GrantId);
        Assert.True(token.IsAuthenticFor(grant));
        Assert.InRange(text.Length, 1, GrantToken.MaxLength); // model: GrantTokenType 1–8192
    }

    [Fact]
    public void Every_token_is_unique_and_all_tokens_of_a_grant_are_interchangeable()
    {
        // AWS KMS (CreateGrant, Name): "the returned grant token is unique with every CreateGrant request … All grant
        // tokens for the same grant ID can be used interchangeably."
        var grant = NewGrant();
        var first = GrantToken.Create(grant, SystemRandomSource.Instance);
        var second = GrantToken.Create(grant, SystemRandomSource.Instance);

        Assert.NotEqual(first, second);
        Assert.True(GrantToken.TryParse(first, out var a) && a.IsAuthenticFor(grant));
        Assert.True(GrantToken.TryParse(second, out var b) && b.IsAuthenticFor(grant));
    }

    [Fact]
    public void A_token_is_not_authentic_for_another_grant_even_on_the_same_key()
    {
        var grant = NewGrant();
        var other = NewGrant(grant.KeyId);
        Assert.True(GrantToken.TryParse(GrantToken.Create(grant, SystemRandomSource.Instance), out var token));
        Assert.False(token.IsAuthenticFor(other));
        Assert.False(token.IsAuthenticFor(other with { Id = grant.Id })); // same id, other secret: the MAC fails
    }

    [Fact]
    public void Any_bit_flip_makes_the_token_malformed_or_not_authentic()
    {
        var grant = NewGrant();
        var bytes = System.Buffers.Text.Base64Url.DecodeFromChars(GrantToken.Create(grant, SystemRandomSource.Instance));
        for (var i = 0; i < bytes.Length; i++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var flipped = (byte[])bytes.Clone();
                flipped[i] ^= (byte)(1 << bit);
                var text = System.Buffers.Text.Base64Url.EncodeToString(flipped);
                Assert.False(GrantToken.TryParse(text, out var token) && token.IsAuthenticFor(grant), $"byte {i} bit {bit}");
            }
        }
    }

    [Theory]
    [InlineData("not a token")]
    [InlineData("AAAA")]
    [InlineData("AQ")]
    [InlineData("====")]
    public void Malformed_text_is_not_a_token(string text) => Assert.False(GrantToken.TryParse(text, out _));

    [Fact]
    public void EnsureWellFormed_refuses_malformed_tokens_with_InvalidGrantTokenException_and_more_than_ten_with_ValidationException()
    {
        var error = Assert.Throws<KmsException>(() => GrantToken.EnsureWellFormed(["garbage"], 10));
        Assert.Equal(KmsErrorCode.InvalidGrantTokenException, error.Code);

        var valid = GrantToken.Create(NewGrant(), SystemRandomSource.Instance);
        GrantToken.EnsureWellFormed([valid], 10);
        error = Assert.Throws<KmsException>(() => GrantToken.EnsureWellFormed(Enumerable.Repeat(valid, 11).ToList(), 10));
        Assert.Equal(KmsErrorCode.ValidationException, error.Code);
        error = Assert.Throws<KmsException>(() => GrantToken.EnsureWellFormed([new string('A', GrantToken.MaxLength + 1)], 10));
        Assert.Equal(KmsErrorCode.ValidationException, error.Code);
    }

    [Fact]
    public void Grant_ids_are_64_lowercase_hex()
    {
        var id = GrantId.From(new byte[32]);
        Assert.Equal(new string('0', 64), id.Value);
        Assert.True(GrantId.TryParse(new string('a', 64), out _));
        Assert.False(GrantId.TryParse(new string('A', 64), out _));
        Assert.False(GrantId.TryParse(new string('a', 63), out _));
        Assert.False(GrantId.TryParse(new string('g', 64), out _));
    }

    [Fact]
    public void A_grant_prints_without_its_token_key()
    {
        var grant = NewGrant();
        Assert.DoesNotContain("TokenKey", grant.ToString());
        Assert.Equal(["Decrypt"], grant.OperationNames);
    }
}
