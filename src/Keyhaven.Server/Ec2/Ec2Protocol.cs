using System.Text;
using System.Xml;
using Microsoft.AspNetCore.Http;

namespace Keyhaven.Server.Ec2;

/// <summary>
/// The EC2 flavour of the Query protocol. Responses are <c>&lt;{Action}Response xmlns="…/2016-11-15/"&gt;&lt;requestId/&gt;…</c>
/// with the result's members directly inside (no <c>{Action}Result</c> wrapper) and lists as <c>&lt;…Set&gt;&lt;item&gt;</c>;
/// errors are <c>&lt;Response&gt;&lt;Errors&gt;&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;/Error&gt;&lt;/Errors&gt;&lt;RequestID/&gt;</c>
/// without a namespace. Request lists are <c>Name.N</c> (not <c>Name.member.N</c>).
/// </summary>
internal static class Ec2Protocol
{
    public const string Version = "2016-11-15";
    public const string Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private const string XmlContentType = "text/xml;charset=UTF-8";

    public static Task WriteResultAsync(HttpContext context, string action, string requestId, Action<XmlWriter> writeResult) =>
        WriteAsync(context, 200, writer =>
        {
            writer.WriteStartElement(action + "Response", Namespace);
            writer.WriteElementString("requestId", requestId);
            writeResult(writer);
            writer.WriteEndElement();
        });

    public static Task WriteErrorAsync(HttpContext context, int status, string code, string message, string requestId) =>
        WriteAsync(context, status, writer =>
        {
            writer.WriteStartElement("Response");
            writer.WriteStartElement("Errors");
            writer.WriteStartElement("Error");
            writer.WriteElementString("Code", code);
            writer.WriteElementString("Message", message);
            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteElementString("RequestID", requestId);
            writer.WriteEndElement();
        });

    /// <summary>The values of an EC2 list parameter (<c>Name.1</c>, <c>Name.2</c>, …) in order.</summary>
    public static IReadOnlyList<string> GetList(IReadOnlyDictionary<string, string> parameters, string name)
    {
        var values = new List<string>();
        for (var i = 1; parameters.TryGetValue($"{name}.{i}", out var value); i++)
        {
            values.Add(value);
        }

        return values;
    }

    /// <summary>An optional boolean (<c>true</c>/<c>false</c>, any case); anything else is <c>InvalidParameterValue</c>.</summary>
    public static bool? GetBool(IReadOnlyDictionary<string, string> parameters, string name) => parameters.GetValueOrDefault(name) switch
    {
        null => null,
        var text when text.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
        var text when text.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
        var text => throw Ec2Exception.InvalidParameterValue($"Value `{text}` for parameter `{name}` is invalid: expected true or false."),
    };

    private static async Task WriteAsync(HttpContext context, int status, Action<XmlWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false) }))
        {
            write(writer);
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = XmlContentType;
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }
}
