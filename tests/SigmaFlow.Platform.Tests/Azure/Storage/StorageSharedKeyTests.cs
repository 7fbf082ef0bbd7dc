using Azure.Core;
using SigmaFlow.Platform.Azure;
using SigmaFlow.Platform.Azure.Storage;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Azure.Storage;

/// <summary>Connection strings and Shared Key signing, against the documentation's examples and a real Azurite.</summary>
public sealed class StorageSharedKeyTests(AzuriteEmulator azurite)
{
    [Fact]
    public void BlobQueueStringToSign_MatchesTheDocumentationExample()
    {
        // "Authorize with Shared Key", Blob service example: GET container metadata.
        var uri = new Uri("https://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=metadata&timeout=20");
        var headers = new Dictionary<string, string> { ["x-ms-date"] = "Fri, 26 Jun 2015 23:39:12 GMT", ["x-ms-version"] = "2015-02-21" };
        var expected = "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Fri, 26 Jun 2015 23:39:12 GMT\nx-ms-version:2015-02-21\n/myaccount/mycontainer\ncomp:metadata\nrestype:container\ntimeout:20";
        Assert.Equal(expected, StorageSharedKey.BlobQueueStringToSign("GET", uri, "myaccount", headers));
    }

    [Fact]
    public void QueueStringToSign_PathStyleAzurite_KeepsTheAccountTwice()
    {
        var uri = new Uri("http://127.0.0.1:10001/devstoreaccount1/jobs/messages?numofmessages=32&visibilitytimeout=300");
        var headers = new Dictionary<string, string> { ["x-ms-date"] = "Tue, 01 Sep 2026 10:00:00 GMT", ["x-ms-version"] = "2021-12-02", ["Content-Length"] = "0" };
        Assert.Equal(
            "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Tue, 01 Sep 2026 10:00:00 GMT\nx-ms-version:2021-12-02\n/devstoreaccount1/devstoreaccount1/jobs/messages\nnumofmessages:32\nvisibilitytimeout:300",
            StorageSharedKey.BlobQueueStringToSign("GET", uri, "devstoreaccount1", headers));
    }

    [Fact]
    public void TableStringToSign_IsVerbMd5TypeDateResource()
    {
        var uri = new Uri("https://myaccount.table.core.windows.net/mytable()?$filter=PartitionKey%20eq%20'a'");
        Assert.Equal("GET\n\napplication/json\nFri, 26 Jun 2015 23:39:12 GMT\n/myaccount/mytable()", StorageSharedKey.TableStringToSign("GET", uri, "myaccount", string.Empty, "application/json", "Fri, 26 Jun 2015 23:39:12 GMT"));
        var comp = new Uri("https://myaccount.table.core.windows.net/?restype=service&comp=properties");
        Assert.EndsWith("/myaccount/?comp=properties", StorageSharedKey.TableStringToSign("GET", comp, "myaccount", string.Empty, string.Empty, "d"), StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_IsBase64HmacSha256WithTheDecodedKey()
    {
        // HMAC-SHA256(key = bytes 0x00…0x1f, "abc"), computed independently (Python hmac).
        var key = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        Assert.Equal("8BM3KcQWPe3oHiHNR4OSVtpYFxI4yKDYdDl8c7FOHkc=", StorageSharedKey.Sign(key, "abc"));
    }

    [Fact]
    public void Parse_AzureForm_DerivesEndpoints()
    {
        var account = StorageAccount.Parse("DefaultEndpointsProtocol=https;AccountName=sigmaflowdata;AccountKey=" + StorageAccount.DevelopmentAccountKey + ";EndpointSuffix=core.windows.net");
        Assert.Equal(new Uri("https://sigmaflowdata.table.core.windows.net"), account.TableEndpoint);
        Assert.Equal(new Uri("https://sigmaflowdata.queue.core.windows.net"), account.QueueEndpoint);
        var dev = StorageAccount.Parse("UseDevelopmentStorage=true");
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), dev.TableEndpoint);
        Assert.DoesNotContain(StorageAccount.DevelopmentAccountKey, account.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AccountKey=abc", "'AccountName' is required")]
    [InlineData("AccountName=a;AccountKey=not base64!", "'AccountKey' must be base64")]
    [InlineData("AccountName=a;TableEndpoint=ftp://x", "'TableEndpoint' must be an absolute http(s) URL")]
    [InlineData("AccountName=a;junk", "every part must be name=value")]
    public void Parse_Malformed_NamesThePart(string text, string fragment)
    {
        var e = Assert.Throws<FormatException>(() => StorageAccount.Parse(text));
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignedRequests_AreAcceptedByAzurite()
    {
        var account = StorageAccount.Parse(azurite.ConnectionString);
        var queues = StoragePipeline.Create(account, StorageService.Queue, null, new AzureClientOptions());
        using var put = queues.CreateMessage();
        put.Request.Method = RequestMethod.Put;
        put.Request.Uri.Reset(new Uri(account.QueueEndpoint + "/signing-check"));
        await queues.SendAsync(put, TestContext.Current.CancellationToken);
        Assert.True(put.Response.Status is 201 or 204, $"status {put.Response.Status}");

        var tables = StoragePipeline.Create(account, StorageService.Table, null, new AzureClientOptions());
        using var create = tables.CreateMessage();
        create.Request.Method = RequestMethod.Post;
        create.Request.Uri.Reset(new Uri(account.TableEndpoint + "/Tables"));
        create.Request.Headers.SetValue("Content-Type", "application/json");
        create.Request.Headers.SetValue("Accept", "application/json;odata=nometadata");
        create.Request.Content = RequestContent.Create(BinaryData.FromString("{\"TableName\":\"signingcheck\"}"));
        await tables.SendAsync(create, TestContext.Current.CancellationToken);
        Assert.True(create.Response.Status is 201 or 409, $"status {create.Response.Status}");

        var wrong = StorageAccount.Parse(azurite.ConnectionString.Replace(StorageAccount.DevelopmentAccountKey, Convert.ToBase64String(new byte[64]), StringComparison.Ordinal));
        var forged = StoragePipeline.Create(wrong, StorageService.Queue, null, new AzureClientOptions());
        using var denied = forged.CreateMessage();
        denied.Request.Method = RequestMethod.Put;
        denied.Request.Uri.Reset(new Uri(wrong.QueueEndpoint + "/signing-check-2"));
        await forged.SendAsync(denied, TestContext.Current.CancellationToken);
        Assert.Equal(403, denied.Response.Status);
    }
}
