// The dashboard: a Static Web App (Free) serving static-web/dist; it calls the function app's API across origins.
param location string
param suffix string
param tags object

resource site 'Microsoft.Web/staticSites@2023-12-01' = {
  name: 'swa-${suffix}'
  location: location
  tags: tags
  sku: {
    name: 'Free'
    tier: 'Free'
  }
  properties: {
    allowConfigFileUpdates: true
    stagingEnvironmentPolicy: 'Enabled'
  }
}

output name string = site.name
output url string = 'https://${site.properties.defaultHostname}'
