// Event Hubs (Standard): the ticks hub with its partitions and consumer groups. Local (SAS) auth is off; feeds and
// the function app use Entra identities (Event Hubs Data Sender / Receiver).
param location string
param suffix string
param tags object
param hubName string
param partitionCount int
param consumerGroups array

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: 'evhns-${suffix}'
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: 1
  }
  properties: {
    minimumTlsVersion: '1.2'
    disableLocalAuth: true
  }
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: hubName
  properties: {
    partitionCount: partitionCount
    messageRetentionInDays: 1
  }
}

resource groups 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = [for group in consumerGroups: {
  parent: hub
  name: group
}]

output name string = namespace.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
