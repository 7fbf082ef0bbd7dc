using SigmaFlow.Tests.Emulators;

// One Azurite for the whole assembly, started on free ports and stopped at the end; tests that need it take it in
// their constructor and skip with the reason when it is not installed.
[assembly: AssemblyFixture(typeof(AzuriteEmulator))]
