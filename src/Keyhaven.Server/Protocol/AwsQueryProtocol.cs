using System.Text;
using System.Xml;
using Microsoft.AspNetCore.Http;

namespace Keyhaven.Server.Protocol;

/// <summary>
/// Responses of the AWS Query protocol: <c>&lt;{Action}Response&gt;&lt;{Action}Result&gt;…&lt;/…&gt;&lt;ResponseMetadata&gt;</c>
/// in the service's XML namespace, and errors as <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type/&gt;&lt;Code/&gt;&lt;Message/&gt;</c>.
/// </summary>
internal static class AwsQueryProtocol
{
    public const string FormContentType = "application/x-www-form-urlencoded";
    private const string XmlContentType = "text/xml";

    /// <summary>True for a form-encoded POST (where the Query protocol's Action and Version live).</summary>
    public static bool IsFormRequest(HttpRequest request) =>
        request.ContentType?.StartsWith(FormContentType, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Writes a successful response; <paramref name="writeResult"/> writes the elements inside <c>{Action}Result</c>.</summary>
    public static async Task WriteResultAsync(HttpContext context, string xmlNamespace, string action, string requestId, Action<XmlWriter> writeResult)
    {
        var bytes = Render(writer =>
        {
            writer.WriteStartElement(action + "Response", xmlNamespace);
            writer.WriteStartElement(action + "Result");
            writeResult(writer);
            writer.WriteEndElement();
            writer.WriteStartElement("ResponseMetadata");
            writer.WriteElementString("RequestId", requestId);
            writer.WriteEndElement();
            writer.WriteEndElement();
        });
        context.Response.StatusCode = 200;
        context.Response.ContentType = XmlContentType;
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    /// <summary>Writes an error; <paramref name="status"/> 5xx is a <c>Receiver</c> fault, the rest <c>Sender</c>.</summary>
    public static async Task WriteErrorAsync(HttpContext context, string xmlNamespace, int status, string code, string message, string requestId)
    {
        var bytes = Render(writer =>
        {
            writer.WriteStartElement("ErrorResponse", xmlNamespace);
            writer.WriteStartElement("Error");
            writer.WriteElementString("Type", status >= 500 ? "Receiver" : "Sender");
            writer.WriteElementString("Code", code);
            writer.WriteElementString("Message", message);
            writer.WriteEndElement();
            writer.WriteElementString("RequestId", requestId);
            writer.WriteEndElement();
        });
        context.Response.StatusCode = status;
        context.Response.ContentType = XmlContentType;
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    /// <summary>AWS Query timestamps: ISO 8601 in UTC with milliseconds and a Z.</summary>
    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] Render(Action<XmlWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Async = false }))
        {
            write(writer);
        }

        return buffer.ToArray();
    }
}
