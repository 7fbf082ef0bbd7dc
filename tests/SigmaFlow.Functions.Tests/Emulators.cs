using SigmaFlow.Tests.Emulators;

// One Azurite and one Cosmos DB server for the whole assembly, started on free ports and stopped at the end; tests
// that need them take them in their constructor and skip with the reason when they are not installed.
[assembly: AssemblyFixture(typeof(AzuriteEmulator))]
[assembly: AssemblyFixture(typeof(CosmosEmulator))]
