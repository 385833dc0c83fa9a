// Flex Consumption (FC1, Linux) plan and the function app running the custom handler.
// The package comes from a blob container read with the user-assigned identity; storage,
// Key Vault references and Application Insights use the same identity, so no keys or
// connection strings with secrets exist anywhere in the app's settings.

param name string
param planName string
param location string
param tags object = {}

@description('Resource id and client id of the user-assigned identity the app runs as.')
param identityId string
param identityClientId string

param storageAccountName string
param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string
param deploymentContainerUrl string

param applicationInsightsConnectionString string

@description('Versionless Key Vault secret URIs (keyvault.bicep output secretUris).')
param secretUris object

@description('Non-secret app configuration, see main.bicep.')
param appConfig object

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@allowed([ 512, 2048, 4096 ])
param instanceMemoryMB int = 2048

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true // Linux
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'functions' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with this identity (default would be a system identity).
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      // A custom handler: the host launches host.json's defaultExecutablePath
      // (bin/ManagedDistribution.Functions, a self-contained linux-x64 publish).
      runtime: {
        name: 'custom'
        version: '1.0'
      }
    }
  }
}

// On Flex Consumption FUNCTIONS_WORKER_RUNTIME is replaced by functionAppConfig.runtime and
// FUNCTIONS_EXTENSION_VERSION is managed by the platform (always ~4); both are deprecated
// settings on this plan and are left out on purpose.
var hostSettings = {
  // Identity-based host storage (contracts/azure.md §1.12). The app reads the same keys:
  // StorageConnection builds its table/queue clients from the service URIs and the client id.
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
  AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
  AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

var defaultNotificationUrl = 'https://${functionApp.properties.defaultHostName}/api/apple/notifications'
var notificationUrl = empty(appConfig.notificationUrl) ? defaultNotificationUrl : appConfig.notificationUrl

// Every key the app reads in Azure (DESIGN.md §3); tests/Functions.Tests/Infra/
// ConfigurationKeysTests checks each options property is set here or documented in
// local.settings.sample.json.
var appSettings = {
  Storage__Prefix: appConfig.storagePrefix
  Auth__AdminApiKeys__0: '@Microsoft.KeyVault(SecretUri=${secretUris.adminApiKey})'
  AppleAppsAndBooks__BaseUrl: appConfig.appleAppsAndBooksBaseUrl
  AppleAppsAndBooks__NotificationUrl: notificationUrl
  Apns__BaseUrl: appConfig.apnsBaseUrl
  // PKCS#12 as base64: Flex Consumption has no certificate store or writable secret files,
  // so the certificate travels as a Key Vault reference (ApnsOptions.CertificateBase64).
  Apns__CertificateBase64: '@Microsoft.KeyVault(SecretUri=${secretUris.apnsCertificate})'
  Apns__CertificatePassword: '@Microsoft.KeyVault(SecretUri=${secretUris.apnsCertificatePassword})'
  Mail__Provider: appConfig.mailProvider
  Mail__From: appConfig.mailFrom
  Mail__FromName: appConfig.mailFromName
  Mail__SendGrid__ApiKey: '@Microsoft.KeyVault(SecretUri=${secretUris.sendGridApiKey})'
  Mail__Smtp__Host: appConfig.mailSmtpHost
  Mail__Smtp__Port: string(appConfig.mailSmtpPort)
  Mail__Smtp__StartTls: appConfig.mailSmtpStartTls
  Mail__Smtp__Username: appConfig.mailSmtpUsername
  Mail__Smtp__Password: '@Microsoft.KeyVault(SecretUri=${secretUris.smtpPassword})'
  Reconciliation__Schedule: appConfig.reconciliationSchedule
  // Every timer's schedule must be set in Azure (function.json's %…% resolves from settings only).
  Workflows__StalledStartSweep: '0 */5 * * * *'
  Mdm__RequireSignature: string(appConfig.mdmRequireSignature)
  // A .NET runtime knob, not an app option: a 64 MB minimum gen0 budget (Platform/Hosting/README.md,
  // "Runtime settings"). The runtime reads it from the environment only (runtimeconfig.json's
  // System.GC.Gen0Size is ignored); the custom handler inherits the host's environment.
  DOTNET_GCgen0size: '0x4000000'
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(hostSettings, appSettings)
}

output id string = functionApp.id
output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
output notificationUrl string = notificationUrl
