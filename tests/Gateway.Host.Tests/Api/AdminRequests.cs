using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Gateway.Host.Tests.Api;

/// <summary>Admin API calls and valid bodies, for specs.</summary>
public static class AdminRequests
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static string PartnerBody(string clientSecret = "client-secret-1", string securityToken = "security-token-1") =>
        $$"""{"primaryUrl": "https://partner.example/hook", "secondaryUrl": null, "clientSecret": "{{clientSecret}}", "securityToken": "{{securityToken}}"}""";

    public static string SubscriberBody(string mobile, string did, string partnerId, string? groupId = null) =>
        $$"""{"mobile": "{{mobile}}", "did": "{{did}}", "domain": "acme.example", "partnerId": "{{partnerId}}", "groupId": {{(groupId is null ? "null" : $"\"{groupId}\"")}}}""";

    public static async Task<JsonElement> PutOk(this HttpClient client, string path, string body)
    {
        var response = await client.PutAsync(path, Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PUT {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    public static async Task<JsonElement> GetOk(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>Asserts the status and the error body's code; returns the message.</summary>
    public static async Task<string> AssertError(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {code}, got {(int)response.StatusCode}: {text}");
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        var message = error.GetProperty("message").GetString();
        Assert.False(string.IsNullOrWhiteSpace(message));
        return message!;
    }
}
