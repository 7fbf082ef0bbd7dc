using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace SigmaFlow.Platform.Azure.Queues;

/// <summary>
/// The wire form of queue messages: encoding and XML-escaping of the text, the size check, the Put/Update Message body,
/// and the parsing of <c>QueueMessagesList</c> responses.
/// </summary>
internal static class QueueMessageCodec
{
    /// <summary>Strict UTF-8: throws on unpaired surrogates instead of writing U+FFFD.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The content of <c>&lt;MessageText&gt;</c> for a text: base64 of its UTF-8 bytes, or the text XML-escaped
    /// (<c>&amp; &lt; &gt;</c> as entities, carriage returns as <c>&amp;#xD;</c> so XML line-end normalisation keeps them).
    /// </summary>
    /// <param name="text">The message text.</param>
    /// <param name="encoding">The encoding.</param>
    /// <param name="parameterName">The caller's parameter, for error messages.</param>
    /// <returns>The encoded, escaped text.</returns>
    /// <exception cref="ArgumentException">The text is not valid UTF-16, holds characters XML 1.0 cannot carry (with
    /// <see cref="QueueMessageEncoding.None"/>), or is over <see cref="QueueClient.MaxMessageBytes"/> once encoded.</exception>
    public static string Encode(string text, QueueMessageEncoding encoding, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(text, parameterName);
        string encoded;
        if (encoding == QueueMessageEncoding.Base64)
        {
            for (var i = 0; i < text.Length; i++)
            {
                if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                }
                else if (char.IsSurrogate(text[i]))
                {
                    throw UnpairedSurrogate(text, i, parameterName);
                }
            }

            encoded = Convert.ToBase64String(StrictUtf8.GetBytes(text));
        }
        else
        {
            encoded = Escape(text, parameterName);
        }

        var size = Encoding.UTF8.GetByteCount(encoded);
        if (size > QueueClient.MaxMessageBytes)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"the message is {size:N0} bytes once encoded ({encoding}: {(encoding == QueueMessageEncoding.Base64 ? "base64 of" : "XML-escaped")} {text.Length:N0} characters) and the queue service accepts at most {QueueClient.MaxMessageBytes:N0} bytes (64 KiB); store the payload elsewhere (Cosmos DB, Tables) and send its id."),
                parameterName);
        }

        return encoded;
    }

    /// <summary>The Put Message / Update Message body for already encoded text.</summary>
    /// <param name="encodedText">The output of <see cref="Encode"/>.</param>
    /// <returns>The UTF-8 body.</returns>
    public static byte[] Body(string encodedText) =>
        Encoding.UTF8.GetBytes("<QueueMessage><MessageText>" + encodedText + "</MessageText></QueueMessage>");

    /// <summary>Decodes stored text with the client's encoding.</summary>
    /// <param name="stored">The text as the service returned it (XML already unescaped).</param>
    /// <param name="encoding">The encoding.</param>
    /// <param name="error">Why it could not be decoded, or null.</param>
    /// <returns>The decoded text, or <paramref name="stored"/> when it could not be decoded.</returns>
    public static string Decode(string stored, QueueMessageEncoding encoding, out string? error)
    {
        error = null;
        if (encoding != QueueMessageEncoding.Base64)
        {
            return stored;
        }

        var bytes = new byte[stored.Length];
        if (!Convert.TryFromBase64String(stored, bytes, out var count))
        {
            error = string.Create(CultureInfo.InvariantCulture, $"the stored text ({stored.Length:N0} characters) is not base64, but the client decodes with QueueMessageEncoding.Base64; it was probably sent with QueueMessageEncoding.None.");
            return stored;
        }

        try
        {
            return StrictUtf8.GetString(bytes, 0, count);
        }
        catch (DecoderFallbackException)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"the stored text is base64 of {count:N0} bytes that are not UTF-8 text.");
            return stored;
        }
    }

    /// <summary>Parses a <c>QueueMessagesList</c> of Get Messages (or Peek Messages) into its messages' fields.</summary>
    /// <param name="body">The response body.</param>
    /// <returns>One dictionary per <c>QueueMessage</c>, element name → text.</returns>
    /// <exception cref="FormatException">The body is not such a list.</exception>
    public static List<Dictionary<string, string>> ParseList(BinaryData body)
    {
        XDocument document;
        try
        {
            using var stream = body.ToStream();
            using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = false });
            document = XDocument.Load(reader, LoadOptions.PreserveWhitespace);
        }
        catch (XmlException e)
        {
            throw new FormatException($"the queue service's response is not XML: {e.Message}", e);
        }

        if (document.Root is not { Name.LocalName: "QueueMessagesList" } root)
        {
            throw new FormatException($"the queue service's response is not a QueueMessagesList (root element '{document.Root?.Name.LocalName}').");
        }

        var messages = new List<Dictionary<string, string>>();
        foreach (var message in root.Elements().Where(e => e.Name.LocalName == "QueueMessage"))
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var field in message.Elements())
            {
                fields[field.Name.LocalName] = field.Value;
            }

            messages.Add(fields);
        }

        return messages;
    }

    /// <summary>A required field of a parsed message.</summary>
    /// <param name="fields">The message's fields.</param>
    /// <param name="name">The element name.</param>
    /// <returns>Its text.</returns>
    public static string Field(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) ? value : throw new FormatException($"a QueueMessage in the queue service's response has no <{name}> element.");

    /// <summary>A required date field (RFC 1123, as the service writes it).</summary>
    /// <param name="fields">The message's fields.</param>
    /// <param name="name">The element name.</param>
    /// <returns>The date.</returns>
    public static DateTimeOffset Date(Dictionary<string, string> fields, string name) => ParseDate(Field(fields, name), name);

    /// <summary>Parses an RFC 1123 date (or, leniently, ISO 8601).</summary>
    /// <param name="value">The text.</param>
    /// <param name="what">What it is, for the error message.</param>
    /// <returns>The date.</returns>
    public static DateTimeOffset ParseDate(string value, string what)
    {
        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            || DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date))
        {
            return date;
        }

        throw new FormatException($"the queue service's {what} '{value}' is not a date.");
    }

    /// <summary>A required integer field.</summary>
    /// <param name="fields">The message's fields.</param>
    /// <param name="name">The element name.</param>
    /// <returns>The number.</returns>
    public static long Number(Dictionary<string, string> fields, string name)
    {
        var value = Field(fields, name);
        return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"the queue service's <{name}> '{value}' is not a whole number.");
    }

    /// <summary>XML-escapes text for an element, refusing characters XML 1.0 cannot carry.</summary>
    private static string Escape(string text, string parameterName)
    {
        StringBuilder? escaped = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            string? replacement = c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '\r' => "&#xD;",
                _ => null,
            };
            if (replacement is null)
            {
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    escaped?.Append(c).Append(text[i + 1]);
                    i++;
                    continue;
                }

                if (char.IsSurrogate(c))
                {
                    throw UnpairedSurrogate(text, i, parameterName);
                }

                if (!IsXmlChar(c))
                {
                    throw new ArgumentException(
                        $"the message text holds {Describe(text, i)}, which XML 1.0 cannot carry, so it cannot be sent with QueueMessageEncoding.None; send it with QueueMessageEncoding.Base64 (and set extensions.queues.messageEncoding to \"base64\" in host.json for triggered functions).",
                        parameterName);
                }

                escaped?.Append(c);
                continue;
            }

            escaped ??= new StringBuilder(text.Length + 16).Append(text, 0, i);
            escaped.Append(replacement);
        }

        return escaped?.ToString() ?? text;
    }

    private static ArgumentException UnpairedSurrogate(string text, int index, string parameterName) =>
        new($"the message text is not valid UTF-16: {Describe(text, index)} is an unpaired surrogate, which no encoding can send.", parameterName);

    private static bool IsXmlChar(char c) => c is '\t' or '\n' or '\r' or (>= '\u0020' and <= '\uFFFD');

    private static string Describe(string text, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"U+{(int)text[index]:X4} at index {index}");
}
