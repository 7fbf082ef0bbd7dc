using Microsoft.Extensions.Logging;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Alerts;
using SigmaFlow.Platform.Alerts.Delivery;
using SigmaFlow.Platform.Alerts.Storage;

namespace SigmaFlow.Functions.DeliverAlert;

/// <summary>
/// Builds DeliverAlert from the platform settings: rules, channels, the delivery log and cooldowns in the tables of
/// <c>AzureWebJobsStorage</c>; <c>AlertsAllowLocalTargets</c> for local runs. Without storage the function is still
/// registered but fails every invocation saying so. Clients are made on the first invocation.
/// </summary>
internal static class DeliverAlertComposition
{
    public static IFunctionHandler Create(PlatformSettings settings, TimeProvider clock, ILoggerFactory loggerFactory)
    {
        if (!settings.HasStorage)
        {
            return new UnavailableFunction(DeliverAlertHandler.FunctionName, $"{DeliverAlertHandler.FunctionName} cannot run: {PlatformSettings.Storage} is not set. Set '{PlatformSettings.Storage}' to a storage connection string (UseDevelopmentStorage=true for Azurite) or '{PlatformSettings.Storage}__accountName' for the app's identity; alert rules, channels and the delivery log are kept in its tables.");
        }

        var logger = loggerFactory.CreateLogger<AlertDispatcher>();
        var dispatcher = new Lazy<AlertDispatcher>(() =>
        {
            var options = new AlertDeliveryOptions { AllowLocalTargets = settings.AlertsAllowLocalTargets };
            var tables = settings.Tables();
            return new AlertDispatcher(new AlertStore(tables, options.Policy, clock), new AlertCooldowns(tables, clock), new AlertSender(options, clock), options, clock, logger);
        });
        return new DeliverAlertHandler(() => dispatcher.Value);
    }
}
