#!/usr/bin/env bash
# Deploys SigmaFlow to Azure with the az CLI (logged in: az login; subscription chosen: az account set -s …):
#
#   infra/deploy.sh RESOURCE_GROUP [LOCATION] [APP_NAME]
#
# 1. creates the resource group (if needed) and deploys infra/main.bicep with infra/main.parameters.json
#    (every resource, the function app's identity and its role assignments; no keys anywhere);
# 2. builds the package (infra/publish.sh: host.json, function folders, self-contained linux-x64 sigmaflow with its
#    executable bit) and uploads it with one-deploy to the Flex Consumption app;
# 3. builds the dashboard (static-web) against the app's API URL and uploads it to the Static Web App.
# After it: make the first admin API key (printed once) with
#   AzureWebJobsStorage__accountName=<storageAccountName> sigmaflow keys create --name admin --scope admin
# run by a principal with Storage Table Data Contributor on the account (see infra/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
group="${1:?usage: infra/deploy.sh RESOURCE_GROUP [LOCATION] [APP_NAME]}"
location="${2:-westeurope}"
app="${3:-sigmaflow-$(printf '%s' "$group" | sha256sum | cut -c1-8)}"

az group create --name "$group" --location "$location" --output none
outputs="$(az deployment group create --resource-group "$group" --template-file infra/main.bicep \
  --parameters @infra/main.parameters.json --parameters appName="$app" \
  --query properties.outputs --output json)"
value() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1']['value'])" <<<"$outputs"; }

bash infra/publish.sh publish
az functionapp deployment source config-zip --resource-group "$group" --name "$(value functionAppName)" \
  --src publish/sigmaflow-app.zip --output none

if [ -f static-web/package.json ]; then
  (cd static-web && npm ci && VITE_API_BASE="$(value apiUrl)" npm run build)
  token="$(az staticwebapp secrets list --name "$(value dashboardName)" --resource-group "$group" --query properties.apiKey --output tsv)"
  npx --yes @azure/static-web-apps-cli@2 deploy static-web/dist --deployment-token "$token" --env production
fi

echo "API:       $(value apiUrl)"
echo "Dashboard: $(value dashboardUrl)"
echo "Storage:   $(value storageAccountName) (make an admin key: sigmaflow keys create --name admin --scope admin)"
