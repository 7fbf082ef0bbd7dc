// Web PubSub with the hub the dashboard listens on. Access keys are off: the function app signs nothing itself in
// Azure; it asks the service for client tokens with its identity (Web PubSub Service Owner).
param location string
param suffix string
param tags object
param hubName string
@allowed([
  'Free_F1'
  'Standard_S1'
])
param sku string

resource service 'Microsoft.SignalRService/webPubSub@2024-03-01' = {
  name: 'wps-${suffix}'
  location: location
  tags: tags
  kind: 'WebPubSub'
  sku: {
    name: sku
    capacity: 1
  }
  properties: {
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource hub 'Microsoft.SignalRService/webPubSub/hubs@2024-03-01' = {
  parent: service
  name: hubName
  properties: {
    anonymousConnectPolicy: 'deny'
    eventHandlers: []
  }
}

output name string = service.name
output endpoint string = 'https://${service.properties.hostName}'
