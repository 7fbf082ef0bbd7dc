// SigmaFlow in one resource group: Flex Consumption function app (custom handler), storage (tables, queues, package),
// Event Hubs, Web PubSub, Cosmos DB (serverless), Azure OpenAI, Application Insights, Static Web App, and the
// identities and roles between them. Keyless: every service is reached with the function app's managed identity.
// Deploy: see infra/README.md (az deployment group create -f infra/main.bicep -p infra/main.parameters.json).
targetScope = 'resourceGroup'

@description('Region of every resource except the Static Web App.')
param location string = resourceGroup().location

@description('Name of the function app (globally unique host name).')
@minLength(2)
@maxLength(60)
param appName string

@description('Static Web Apps run in a few regions only.')
@allowed([
  'westus2'
  'centralus'
  'eastus2'
  'westeurope'
  'eastasia'
])
param staticWebAppLocation string = 'westeurope'

@description('Partitions of the ticks event hub (fixed after creation).')
@minValue(1)
@maxValue(32)
param tickPartitions int = 4

@allowed([
  'Free_F1'
  'Standard_S1'
])
param webPubSubSku string = 'Standard_S1'

@description('Deploy Azure OpenAI and configure the AI features; without it the AI endpoints answer 503.')
param deployOpenAi bool = true
param openAiModel string = 'gpt-4o-mini'
param openAiModelVersion string = '2024-07-18'
param openAiCapacity int = 10

@description('Flex Consumption instance size and scale-out limit.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('NCRONTAB (six fields, seconds first) of the ScanMarkets timer.')
param scanSchedule string = '0 */15 * * * *'

@description('Trust x-ms-client-principal (set true only when App Service authentication is enabled on the app).')
param apiAcceptPrincipalHeader bool = false

@description('Object id of a user or service principal that will run feeds (granted Event Hubs Data Sender); empty for none.')
param feedPrincipalId string = ''
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param feedPrincipalType string = 'User'

param tags object = {
  application: 'sigmaflow'
}

var suffix = uniqueString(resourceGroup().id, appName)
var ticksHub = 'ticks'
var pushHub = 'market'
var cosmosDatabase = 'sigmaflow'

// Every table, queue and container the code uses (tests/SigmaFlow.Functions.Tests/Infra checks these lists against
// the code's names).
var tableNames = [
  'bars'
  'symbolstate'
  'quotes'
  'signals'
  'deadletters'
  'checkpoints'
  'strategies'
  'watchlists'
  'apikeys'
  'idempotency'
  'hooks'
  'alertrules'
  'alertchannels'
  'alertdeliveries'
  'alertdeadletters'
  'alertcooldowns'
  'screeners'
  'screenerresults'
]
var queueNames = [
  'alerts'
  'alerts-poison'
  'sweep-shards'
  'sweep-shards-poison'
  'sweep-shards-poison-poison'
]
var cosmosContainers = [
  {
    name: 'jobs'
    partitionKey: '/jobId'
  }
]
var consumerGroups = [
  'ingest'
]

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    suffix: suffix
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    suffix: suffix
    tags: tags
    tables: tableNames
    queues: queueNames
  }
}

module eventHubs 'modules/eventhubs.bicep' = {
  name: 'eventhubs'
  params: {
    location: location
    suffix: suffix
    tags: tags
    hubName: ticksHub
    partitionCount: tickPartitions
    consumerGroups: consumerGroups
  }
}

module webPubSub 'modules/webpubsub.bicep' = {
  name: 'webpubsub'
  params: {
    location: location
    suffix: suffix
    tags: tags
    hubName: pushHub
    sku: webPubSubSku
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    location: location
    suffix: suffix
    tags: tags
    databaseName: cosmosDatabase
    containers: cosmosContainers
  }
}

module openAi 'modules/openai.bicep' = if (deployOpenAi) {
  name: 'openai'
  params: {
    location: location
    suffix: suffix
    tags: tags
    deploymentName: 'chat'
    modelName: openAiModel
    modelVersion: openAiModelVersion
    capacity: openAiCapacity
  }
}

module dashboard 'modules/staticwebapp.bicep' = {
  name: 'dashboard'
  params: {
    location: staticWebAppLocation
    suffix: suffix
    tags: tags
  }
}

// The platform's settings: the same names as local runs (functions/Host/PlatformSettings.cs), in their identity form.
var appSettings = {
  AzureWebJobsStorage__accountName: storage.outputs.name
  EventHubConnection__fullyQualifiedNamespace: eventHubs.outputs.fullyQualifiedNamespace
  WebPubSubConnection__endpoint: webPubSub.outputs.endpoint
  CosmosDbConnection__accountEndpoint: cosmos.outputs.endpoint
  TicksHubName: ticksHub
  WebPubSubHub: pushHub
  CosmosDatabaseName: cosmosDatabase
  LiveStrategies: ''
  ScanSchedule: scanSchedule
  ApiAcceptPrincipalHeader: string(apiAcceptPrincipalHeader)
  AlertsAllowLocalTargets: 'false'
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    suffix: suffix
    tags: tags
    appName: appName
    packageContainerUrl: storage.outputs.packageContainerUrl
    appSettings: appSettings
    allowedOrigins: [
      dashboard.outputs.url
    ]
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: functionApp.outputs.principalId
    storageName: storage.outputs.name
    eventHubsName: eventHubs.outputs.name
    webPubSubName: webPubSub.outputs.name
    cosmosName: cosmos.outputs.name
    openAiName: deployOpenAi ? openAi.outputs.name : ''
    insightsName: monitoring.outputs.insightsName
    deployOpenAi: deployOpenAi
    feedPrincipalId: feedPrincipalId
    feedPrincipalType: feedPrincipalType
  }
}

output functionAppName string = functionApp.outputs.name
output apiUrl string = '${functionApp.outputs.url}/api'
output dashboardName string = dashboard.outputs.name
output dashboardUrl string = dashboard.outputs.url
output storageAccountName string = storage.outputs.name
output packageContainerUrl string = storage.outputs.packageContainerUrl
output eventHubsNamespace string = eventHubs.outputs.fullyQualifiedNamespace
output webPubSubEndpoint string = webPubSub.outputs.endpoint
output cosmosEndpoint string = cosmos.outputs.endpoint
output openAiEndpoint string = deployOpenAi ? openAi.outputs.endpoint : ''
