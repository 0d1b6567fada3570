namespace Keyhaven.Policy.Matching;

/// <summary>One element of a compiled pattern.</summary>
/// <param name="Kind">What the element matches.</param>
/// <param name="Text">Literal text, or the variable's context key.</param>
/// <param name="Default">The variable's default value, or <see langword="null"/> when it has none.</param>
internal readonly record struct PatternElement(PatternElementKind Kind, string Text, string? Default = null);
