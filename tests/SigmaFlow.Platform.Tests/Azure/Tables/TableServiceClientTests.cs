using Azure;
using SigmaFlow.Platform.Azure.Storage;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Azure.Tables;

/// <summary>Table management against a real Azurite, and the table-name rule.</summary>
public sealed class TableServiceClientTests(AzuriteEmulator azurite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateTableAsync_Twice_SecondThrows409AlreadyExists()
    {
        var service = TableTestSupport.Service(azurite);
        var name = TableTestSupport.UniqueName("create");

        var table = await service.CreateTableAsync(name, Token);
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => service.CreateTableAsync(name, Token));

        Assert.Equal(name, table.Name);
        Assert.Equal(409, e.Status);
        Assert.Equal("TableAlreadyExists", e.ErrorCode);
        Assert.Contains($"create table '{name}'", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateTableIfNotExistsAsync_ReturnsTrueThenFalse()
    {
        var service = TableTestSupport.Service(azurite);
        var name = TableTestSupport.UniqueName("idem");

        var first = await service.CreateTableIfNotExistsAsync(name, Token);
        var second = await service.CreateTableIfNotExistsAsync(name, Token);
        var third = await service.GetTableClient(name).CreateIfNotExistsAsync(Token);

        Assert.True(first);
        Assert.False(second);
        Assert.False(third);
    }

    [Fact]
    public async Task DeleteTableAsync_ExistingThenMissing_ReturnsTrueThenFalse()
    {
        var service = TableTestSupport.Service(azurite);
        var name = TableTestSupport.UniqueName("drop");
        var table = await service.CreateTableAsync(name, Token);
        await table.InsertEntityAsync(new TableEntity("p", "r"), Token);

        var deleted = await service.DeleteTableAsync(name, Token);
        var again = await service.DeleteTableAsync(name, Token);
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.GetEntityAsync("p", "r", cancellationToken: Token));

        Assert.True(deleted);
        Assert.False(again);
        Assert.Equal("TableNotFound", e.ErrorCode);
    }

    [Fact]
    public async Task GetTableNamesAsync_Prefix_ListsOnlyTheMatchingTables()
    {
        var service = TableTestSupport.Service(azurite);
        var prefix = "list" + Guid.NewGuid().ToString("N")[..8];
        string[] names = [prefix + "a", prefix + "b", prefix + "c"];
        foreach (var name in names)
        {
            await service.CreateTableAsync(name, Token);
        }

        await service.CreateTableAsync(prefix[..^1] + "z" + "other", Token);

        var listed = await service.GetTableNamesAsync(prefix, Token).ToListAsync(Token);

        Assert.Equal(names, listed.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("ab", "3-63")]
    [InlineData("1abc", "start with a letter")]
    [InlineData("bad-name", "letters or digits")]
    [InlineData("tables", "reserved")]
    [InlineData("Tables", "reserved")]
    [InlineData("naïve", "ASCII")]
    public void GetTableClient_BadName_ThrowsNamingTheRuleAndTheValue(string name, string rule)
    {
        var service = new TableServiceClient(StorageAccount.AzuriteConnectionString(1, 1, 1));

        var e = Assert.Throws<ArgumentException>(() => service.GetTableClient(name));

        Assert.Equal("tableName", e.ParamName);
        Assert.Contains(rule, e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetTableClient_SixtyThreeCharacters_IsAccepted_SixtyFour_IsNot()
    {
        var service = new TableServiceClient(StorageAccount.AzuriteConnectionString(1, 1, 1));

        var table = service.GetTableClient("a" + new string('1', 62));

        Assert.Equal(63, table.Name.Length);
        Assert.Throws<ArgumentException>(() => service.GetTableClient("a" + new string('1', 63)));
    }

    [Fact]
    public void Constructor_IdentityAccountWithoutCredential_ThrowsNamingTheFix()
    {
        var e = Assert.Throws<ArgumentException>(() => new TableServiceClient(StorageAccount.ForIdentity("sigmaflowdata"), null));

        Assert.Contains("credential", e.Message, StringComparison.Ordinal);
    }
}
