using System.Text.Json;
using Gateway.Domain.Errors;

namespace Gateway.Host.Api;

/// <summary>
/// The fields of one JSON object, looked up case-insensitively (<c>PrimaryUrl</c> matches
/// <c>primaryUrl</c>). Unknown and duplicated fields are refused, so a typo is reported rather than
/// silently ignored. The first problem found is kept in <see cref="Error"/>; later reads return null.
/// </summary>
public sealed class JsonFields
{
    private readonly Dictionary<string, JsonElement> _fields;
    private readonly string _prefix;
    private readonly JsonFields? _parent;
    private DomainError? _error;

    private JsonFields(Dictionary<string, JsonElement> fields, string prefix, JsonFields? parent)
    {
        _fields = fields;
        _prefix = prefix;
        _parent = parent;
    }

    /// <summary>The first problem met, in this object or in a nested one.</summary>
    public DomainError? Error => _parent is null ? _error : _parent.Error;

    public static JsonFields Of(JsonElement element, params string[] allowed) => Of(element, "", null, allowed);

    private static JsonFields Of(JsonElement element, string prefix, JsonFields? parent, string[] allowed)
    {
        var fields = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        var reader = new JsonFields(fields, prefix, parent);
        foreach (var property in element.EnumerateObject())
        {
            if (!TryGetName(property, out var name))
            {
                reader.Fail(ErrorCodes.MalformedJson, $"A property name in '{(prefix.Length == 0 ? "the body" : prefix.TrimEnd('.'))}' is not valid Unicode text.");
                break;
            }
            var known = allowed.FirstOrDefault(a => a.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                reader.Fail(ErrorCodes.UnknownField,
                    $"Field '{prefix}{Printable(name)}' is not known here; allowed: {string.Join(", ", allowed.Select(a => prefix + a))}.");
                break;
            }
            if (!fields.TryAdd(known, property.Value))
            {
                reader.Fail(ErrorCodes.DuplicateField, $"Field '{prefix}{known}' appears more than once.");
                break;
            }
        }
        return reader;
    }

    /// <summary>A string field; null when absent or JSON null.</summary>
    public string? String(string name)
    {
        if (Error is not null || !_fields.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind == JsonValueKind.String)
            return TryGetString(value, name);
        Fail(ErrorCodes.InvalidFieldType, $"Field '{_prefix}{name}' must be a string, not {Describe(value)}.");
        return null;
    }

    /// <summary>A boolean field; null when absent or JSON null.</summary>
    public bool? Boolean(string name)
    {
        if (Error is not null || !_fields.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            return value.GetBoolean();
        Fail(ErrorCodes.InvalidFieldType, $"Field '{_prefix}{name}' must be true or false, not {Describe(value)}.");
        return null;
    }

    /// <summary>A nested object field; null when absent or JSON null.</summary>
    public JsonFields? Object(string name, params string[] allowed)
    {
        if (Error is not null || !_fields.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind == JsonValueKind.Object)
            return Of(value, $"{_prefix}{name}.", this, allowed);
        Fail(ErrorCodes.InvalidFieldType, $"Field '{_prefix}{name}' must be an object, not {Describe(value)}.");
        return null;
    }

    /// <summary>An array of strings; null when absent or JSON null.</summary>
    public IReadOnlyList<string>? Strings(string name)
    {
        if (Array(name) is not { } array)
            return null;
        var items = new List<string>(array.GetArrayLength());
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                Fail(ErrorCodes.InvalidFieldType, $"Field '{_prefix}{name}[{index}]' must be a string, not {Describe(item)}.");
                return null;
            }
            if (TryGetString(item, $"{name}[{index}]") is not { } text)
                return null;
            items.Add(text);
            index++;
        }
        return items;
    }

    /// <summary>An array of objects, each read with <paramref name="allowed"/> fields; null when absent or JSON null.</summary>
    public IReadOnlyList<JsonFields>? Objects(string name, params string[] allowed)
    {
        if (Array(name) is not { } array)
            return null;
        var items = new List<JsonFields>(array.GetArrayLength());
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                Fail(ErrorCodes.InvalidFieldType, $"Field '{_prefix}{name}[{index}]' must be an object, not {Describe(item)}.");
                return null;
            }
            items.Add(Of(item, $"{_prefix}{name}[{index}].", this, allowed));
            if (Error is not null)
                return null;
            index++;
        }
        return items;
    }

    private JsonElement? Array(string name)
    {
        if (Error is not null || !_fields.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind == JsonValueKind.Array)
            return value;
        Fail(ErrorCodes.InvalidFieldType, $"Field '{_prefix}{name}' must be an array, not {Describe(value)}.");
        return null;
    }

    /// <summary>
    /// The string's value; null (and the error) when it is not valid Unicode: JSON lets a string escape a
    /// lone surrogate (<c>"\ud800"</c>), and a body may hold bytes that are not UTF-8.
    /// </summary>
    private string? TryGetString(JsonElement value, string name)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            Fail(ErrorCodes.MalformedJson, $"Field '{_prefix}{name}' is not valid Unicode text.");
            return null;
        }
    }

    private static bool TryGetName(JsonProperty property, out string name)
    {
        try
        {
            name = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            name = "";
            return false;
        }
    }

    /// <summary>The field's full name for messages (<c>media[1].content</c>).</summary>
    public string PathOf(string name) => _prefix + name;

    private void Fail(string code, string message)
    {
        if (_parent is not null)
            _parent.Fail(code, message);
        else
            _error ??= DomainError.Invalid(code, message);
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Printable(string name) =>
        name.Length > 64 || name.Any(char.IsControl) ? string.Concat(name.Take(64).Where(c => !char.IsControl(c))) + "…" : name;
}
