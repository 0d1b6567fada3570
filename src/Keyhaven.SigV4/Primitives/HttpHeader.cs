namespace Keyhaven.SigV4;

/// <summary>
/// One HTTP header field as received or to be sent: the name in any case and the value as it appears on the wire
/// (leading/trailing whitespace allowed; canonicalization trims it). A header that occurs several times is passed
/// as several <see cref="HttpHeader"/> values in the order they were received.
/// </summary>
/// <param name="Name">Field name, case-insensitive.</param>
/// <param name="Value">Field value.</param>
public readonly record struct HttpHeader(string Name, string Value);
