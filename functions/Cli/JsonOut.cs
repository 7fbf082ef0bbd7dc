using System.Reflection;
using System.Text;
using System.Text.Json;
using SigmaFlow.Core.Backtesting.Performance;

namespace SigmaFlow.Functions.Cli;

/// <summary>JSON pieces shared by the commands: camelCase names, NaN and infinities as null.</summary>
internal static class JsonOut
{
    private static readonly PropertyInfo[] MetricProperties = typeof(PerformanceMetrics).GetProperties(BindingFlags.Public | BindingFlags.Instance);

    public static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    public static void NumberValue(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            json.WriteNullValue();
        }
    }

    /// <summary>Every metric under its camelCase name.</summary>
    public static void Metrics(Utf8JsonWriter json, string name, PerformanceMetrics metrics)
    {
        json.WriteStartObject(name);
        foreach (var property in MetricProperties)
        {
            var key = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            switch (property.GetValue(metrics))
            {
                case double d:
                    Number(json, key, d);
                    break;
                case int n:
                    json.WriteNumber(key, n);
                    break;
                case long n:
                    json.WriteNumber(key, n);
                    break;
                case decimal m:
                    json.WriteNumber(key, m);
                    break;
            }
        }

        json.WriteEndObject();
    }

    /// <summary>Writes one indented JSON document and returns it with a final newline.</summary>
    public static string Document(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(json);
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
