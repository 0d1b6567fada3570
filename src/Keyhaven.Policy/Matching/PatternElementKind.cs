namespace Keyhaven.Policy.Matching;

/// <summary>The kinds of element a compiled pattern is made of.</summary>
internal enum PatternElementKind : byte
{
    /// <summary>Literal text (including the escapes <c>${*}</c>, <c>${?}</c>, <c>${$}</c>).</summary>
    Literal,

    /// <summary><c>*</c>: any run of characters, possibly empty.</summary>
    Star,

    /// <summary><c>?</c>: exactly one character.</summary>
    Question,

    /// <summary><c>${key}</c> or <c>${key, 'default'}</c>: replaced by the context value, which is matched literally.</summary>
    Variable,
}
