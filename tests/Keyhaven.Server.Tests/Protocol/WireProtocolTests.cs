using System.Text;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Protocol;

/// <summary>The AWS JSON 1.1 envelope and SigV4 authentication, with requests no SDK would send.</summary>
public sealed class WireProtocolTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private RawKmsClient Raw() => new(fixture.Server);

    [Fact]
    public async Task A_signed_request_gets_an_aws_json_response_with_a_request_id_and_epoch_timestamps()
    {
        using var raw = Raw();
        var response = await raw.SendAsync("TrentService.CreateKey", "{\"Description\":\"wire\"}");
        Assert.Equal(200, response.Status);
        Assert.Equal("application/x-amz-json-1.1", response.Http.Content.Headers.ContentType?.MediaType);
        Assert.True(Guid.TryParse(response.Http.Headers.GetValues("x-amzn-RequestId").Single(), out _));
        var metadata = response.Body.GetProperty("KeyMetadata");
        Assert.Equal(System.Text.Json.JsonValueKind.Number, metadata.GetProperty("CreationDate").ValueKind);
        Assert.Equal("wire", metadata.GetProperty("Description").GetString());
        Assert.False(metadata.TryGetProperty("DeletionDate", out _)); // absent members are omitted, not null
    }

    [Fact]
    public async Task An_unknown_target_is_UnknownOperationException()
    {
        using var raw = Raw();
        foreach (var target in new[] { "TrentService.MakeCoffee", "OtherService.CreateKey", "" })
        {
            var response = await raw.SendAsync(target, "{}");
            Assert.Equal(400, response.Status);
            Assert.Equal("UnknownOperationException", response.ErrorType);
        }
    }

    [Theory]
    [InlineData("{not json", "the request body")]
    [InlineData("{\"KeyId\": 5}", "KeyId")]
    [InlineData("{\"Plaintext\": \"%%%not base64\"}", "Plaintext")]
    [InlineData("{\"EncryptionContext\": [1,2]}", "EncryptionContext")]
    [InlineData("[]", "the request body")]
    public async Task Malformed_json_or_a_member_of_the_wrong_type_is_SerializationException_naming_it(string body, string named)
    {
        using var raw = Raw();
        var response = await raw.SendAsync("TrentService.Encrypt", body);
        Assert.Equal(400, response.Status);
        Assert.Equal("SerializationException", response.ErrorType);
        Assert.Contains(named, response.Message);
    }

    [Theory]
    [InlineData("TrentService.ListKeys", "{\"Limit\": 1001}", "limit")]
    [InlineData("TrentService.ListKeys", "{\"Limit\": 0}", "limit")]
    [InlineData("TrentService.Encrypt", "{\"KeyId\":\"alias/x\"}", "plaintext")]
    [InlineData("TrentService.GenerateRandom", "{}", "numberOfBytes")]
    [InlineData("TrentService.DescribeKey", "{}", "keyId")]
    public async Task Values_outside_the_models_constraints_are_ValidationException_naming_the_member(string target, string body, string member)
    {
        using var raw = Raw();
        var response = await raw.SendAsync(target, body);
        Assert.Equal(400, response.Status);
        Assert.Equal("ValidationException", response.ErrorType);
        Assert.Contains(member, response.Message);
    }

    [Fact]
    public async Task A_request_without_authentication_is_MissingAuthenticationTokenException()
    {
        using var raw = Raw();
        var response = await raw.SendAsync("TrentService.ListKeys", "{}", sign: false);
        Assert.Equal(400, response.Status);
        Assert.Equal("MissingAuthenticationTokenException", response.ErrorType);
    }

    [Fact]
    public async Task An_unknown_access_key_is_UnrecognizedClientException()
    {
        using var raw = Raw();
        var response = await raw.SendAsync("TrentService.ListKeys", "{}", accessKeyId: "AKIAAAAAAAAAAAAAAAAA", secret: "x");
        Assert.Equal("UnrecognizedClientException", response.ErrorType);
    }

    [Fact]
    public async Task A_wrong_secret_or_a_body_changed_after_signing_is_InvalidSignatureException()
    {
        using var raw = Raw();
        var wrongSecret = await raw.SendAsync("TrentService.ListKeys", "{}", secret: "not-the-secret");
        Assert.Equal("InvalidSignatureException", wrongSecret.ErrorType);

        var changedBody = await raw.SendAsync("TrentService.ListKeys", "{}", tamper: request =>
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"Limit\":1}"));
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        });
        Assert.Equal("InvalidSignatureException", changedBody.ErrorType);

        var changedTarget = await raw.SendAsync("TrentService.ListKeys", "{}", tamper: request =>
        {
            request.Headers.Remove("X-Amz-Target");
            request.Headers.TryAddWithoutValidation("X-Amz-Target", "TrentService.ListAliases");
        });
        Assert.Equal("InvalidSignatureException", changedTarget.ErrorType);
    }

    [Fact]
    public async Task A_request_signed_more_than_5_minutes_ago_is_refused_as_expired()
    {
        using var raw = Raw();
        fixture.Server.Clock.Advance(TimeSpan.FromMinutes(-6)); // the signer reads the test clock: sign in the past
        RawKmsClient.Response response;
        try
        {
            response = await raw.SendAsync("TrentService.ListKeys", "{}", tamper: _ => fixture.Server.Clock.Advance(TimeSpan.FromMinutes(6)));
        }
        finally
        {
            if (fixture.Server.Clock.Offset != TimeSpan.Zero)
            {
                fixture.Server.Clock.Advance(-fixture.Server.Clock.Offset);
            }
        }

        Assert.Equal("InvalidSignatureException", response.ErrorType);
        Assert.StartsWith("Signature expired", response.Message);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_before_it_is_read_whole()
    {
        using var raw = Raw();
        var response = await raw.SendAsync("TrentService.Encrypt", new byte[300 * 1024]);
        Assert.Equal(413, response.Status);
        Assert.Equal("ValidationException", response.ErrorType);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_refused_by_the_server_and_recorded()
    {
        // No Content-Length: the body is read until it passes the limit; the refusal is the server's own (not Kestrel's),
        // and, like every request, it has its event.
        await using var server = await TestServer.StartAsync();
        var before = server.Server.AuditTrail.LastSequence;
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, server.Server.Endpoint) { Content = new StreamContent(new MemoryStream(new byte[600 * 1024])) };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "TrentService.Encrypt");
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");

        using var response = await http.SendAsync(request);

        Assert.Equal(413, (int)response.StatusCode);
        Assert.Contains("ValidationException", await response.Content.ReadAsStringAsync());
        var recorded = Assert.Single(await server.EventsAsync(before));
        Assert.Equal("ValidationException", recorded.Event.ErrorCode);
    }

    [Fact]
    public async Task Shutdown_can_wait_for_a_request_still_in_flight_and_its_event()
    {
        // A request whose body is still arriving is in flight: the drain that runs before the trail closes at shutdown
        // waits for it, and its event is in the trail once it ends.
        await using var server = await TestServer.StartAsync();
        var before = server.Server.AuditTrail.LastSequence;
        var pipeline = server.Server.Pipeline;
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(server.Server.Endpoint.Host, server.Server.Endpoint.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
                "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 100\r\n\r\n{\"Limit\""));
            await stream.FlushAsync();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (pipeline.InFlight == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            Assert.Equal(1, pipeline.InFlight);
            Assert.False(await pipeline.DrainAsync(TimeSpan.FromMilliseconds(200), TimeProvider.System));
        }

        Assert.True(await pipeline.DrainAsync(TimeSpan.FromSeconds(10), TimeProvider.System));
        var recorded = Assert.Single(await server.EventsAsync(before));
        // Kestrel reports a body cut short as a bad request: recorded as one.
        Assert.Equal(("ListKeys", "SerializationException"), (recorded.Event.EventName, recorded.Event.ErrorCode));
    }

    [Fact]
    public async Task Errors_never_echo_plaintext()
    {
        using var raw = Raw();
        var secret = Convert.ToBase64String(Encoding.UTF8.GetBytes("top-secret-plaintext"));
        var response = await raw.SendAsync("TrentService.Encrypt", $"{{\"KeyId\":\"alias/missing\",\"Plaintext\":\"{secret}\"}}");
        Assert.Equal("NotFoundException", response.ErrorType);
        Assert.DoesNotContain("top-secret", response.Message);
        Assert.DoesNotContain(secret, response.Message);
    }
}
