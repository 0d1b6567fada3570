using Keyhaven.Policy.Compilation;

namespace Keyhaven.Policy.Tests.Compilation;

/// <summary>Compile once, cache by SHA-256 of the text.</summary>
public class CompiledPolicyCacheTests
{
    private const string Json = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""";

    [Fact]
    public void Same_text_is_compiled_once_and_named_per_use()
    {
        var cache = new CompiledPolicyCache();
        Assert.True(cache.TryGetOrCompile(Json, "a", out var a, out _));
        Assert.True(cache.TryGetOrCompile(Json, "b", out var b, out _));
        Assert.Equal(1, cache.Count);
        Assert.Equal(a.ContentHash, b.ContentHash);
        Assert.Equal(("a", "b"), (a.Name, b.Name));
        Assert.Equal(64, a.ContentHash.Length);
    }

    [Fact]
    public void Invalid_policies_are_reported_and_not_cached()
    {
        var cache = new CompiledPolicyCache();
        Assert.False(cache.TryGetOrCompile("{", "x", out var p, out var errors));
        Assert.Null(p);
        Assert.NotEmpty(errors);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Capacity_bounds_the_cache()
    {
        var cache = new CompiledPolicyCache(capacity: 2);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(cache.TryGetOrCompile(Json.Replace("kms:*", $"kms:Op{i}"), "p", out _, out _));
        }

        Assert.True(cache.Count <= 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompiledPolicyCache(0));
    }

    [Fact]
    public void Compile_throws_format_exception_listing_errors()
    {
        var ex = Assert.Throws<FormatException>(() => PolicyCompiler.Compile("""{"Statement":[{"Effect":"Allow"}]}""", "bad"));
        Assert.Contains("MISSING_ACTION", ex.Message);
    }
}
