using Keyhaven.Server.Hosting;

namespace Keyhaven.Server.Tests.Hosting;

/// <summary>The regions a deployment serves (<c>serve --region a,b</c>).</summary>
public sealed class KeyhavenServerOptionsTests
{
    [Fact]
    public void Regions_parse_from_a_comma_separated_list_and_the_first_is_the_default()
    {
        var options = new KeyhavenServerOptions { Regions = KeyhavenServerOptions.ParseRegions("eu-west-1, us-east-1,us-gov-west-1") };

        Assert.Equal(["eu-west-1", "us-east-1", "us-gov-west-1"], options.Regions);
        Assert.Equal("eu-west-1", options.Region);
        Assert.Equal("us-east-1", new KeyhavenServerOptions().Region);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" , ")]
    [InlineData("US-EAST-1")]
    [InlineData("us-east")]
    [InlineData("us-east-1,eu/west-1")]
    [InlineData("us-east-1,us-east-1")]
    public void Anything_but_distinct_region_names_is_refused(string text) =>
        Assert.Throws<FormatException>(() => KeyhavenServerOptions.ParseRegions(text));
}
