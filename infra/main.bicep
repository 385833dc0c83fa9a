// Managed Distribution backend on Azure: one resource group holding a Flex Consumption
// function app (the custom handler), its storage account, Key Vault, monitoring and the
// user-assigned identity that ties them together with RBAC (no shared keys).
//
//   az deployment sub create -l <region> -f infra/main.bicep -p infra/main.parameters.json
//
// Names follow the azd convention: an abbreviation from abbreviations.json plus a resource
// token derived from the subscription, environment name and region.

targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Environment name, e.g. dev or prod; part of every resource name.')
param environmentName string

@description('Region for every resource (must offer Flex Consumption); defaults to the deployment\'s -l region.')
param location string = deployment().location

@description('Optional principal id (user or group) allowed to manage Key Vault secrets.')
param operatorPrincipalId string = ''

@allowed([ 'User', 'Group', 'ServicePrincipal' ])
param operatorPrincipalType string = 'User'

// ---- app configuration (DESIGN.md §3) ---------------------------------------------------

// Must not be empty: function.json queue names read %Storage:Prefix%, and the host refuses a
// binding expression that resolves to nothing. Lowercase letters and digits (valid in both
// table and queue names).
@minLength(1)
@maxLength(20)
@description('Prefix for every table and queue name (Storage:Prefix).')
param storagePrefix string = 'md'

param appleAppsAndBooksBaseUrl string = 'https://vpp.itunes.apple.com/mdm/v2/'

@description('Public HTTPS URL of /api/apple/notifications; empty = the app\'s own default host name.')
param appleNotificationUrl string = ''

param apnsBaseUrl string = 'https://api.push.apple.com'

@allowed([ 'SendGrid', 'Smtp', 'Pickup' ])
param mailProvider string = 'SendGrid'

param mailFrom string = 'no-reply@example.com'

@description('Display name shown with mailFrom (Mail:FromName), e.g. the organisation\'s name.')
param mailFromName string = 'Managed Distribution'

@description('SMTP server or relay when mailProvider is Smtp (Mail:Smtp:Host); port 587 with STARTTLS, or 25.')
param mailSmtpHost string = ''
param mailSmtpPort int = 587
@allowed([ 'Auto', 'Required', 'None' ])
param mailSmtpStartTls string = 'Required'
@description('SMTP AUTH user name; empty sends without authenticating. The password goes to Key Vault (smtpPassword).')
param mailSmtpUsername string = ''

@description('NCRONTAB (6 fields, UTC) for the license reconciliation; default hourly.')
param reconciliationSchedule string = '0 0 * * * *'

@description('Reject MDM check-ins without a valid Mdm-Signature header.')
param mdmRequireSignature bool = true

param maximumInstanceCount int = 100

@allowed([ 512, 2048, 4096 ])
param instanceMemoryMB int = 2048

// ---- secrets (written to Key Vault only when non-empty) ----------------------------------

@secure()
param appleLocationToken string = ''
@secure()
param apnsCertificateBase64 string = ''
@secure()
param apnsCertificatePassword string = ''
@secure()
param sendGridApiKey string = ''
@secure()
param smtpPassword string = ''
@secure()
param adminApiKey string = ''

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'
var deploymentContainerName = 'app-package-${take(resourceToken, 13)}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  name: 'identity'
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  name: 'storage'
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  name: 'monitoring'
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  scope: rg
  name: 'keyvault'
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    appleLocationToken: appleLocationToken
    apnsCertificateBase64: apnsCertificateBase64
    apnsCertificatePassword: apnsCertificatePassword
    sendGridApiKey: sendGridApiKey
    smtpPassword: smtpPassword
    adminApiKey: adminApiKey
  }
}

module rbac 'modules/rbac.bicep' = {
  scope: rg
  name: 'rbac'
  params: {
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

module functionApp 'modules/functionapp.bicep' = {
  scope: rg
  name: 'functionapp'
  // Roles first, so the first host start can already read storage and Key Vault.
  dependsOn: [ rbac ]
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    secretUris: keyVault.outputs.secretUris
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    appConfig: {
      storagePrefix: storagePrefix
      appleAppsAndBooksBaseUrl: appleAppsAndBooksBaseUrl
      notificationUrl: appleNotificationUrl
      apnsBaseUrl: apnsBaseUrl
      mailProvider: mailProvider
      mailFrom: mailFrom
      mailFromName: mailFromName
      mailSmtpHost: mailSmtpHost
      mailSmtpPort: mailSmtpPort
      mailSmtpStartTls: mailSmtpStartTls
      mailSmtpUsername: mailSmtpUsername
      reconciliationSchedule: reconciliationSchedule
      mdmRequireSignature: mdmRequireSignature
    }
  }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLE_NOTIFICATION_URL string = functionApp.outputs.notificationUrl
