// RBAC-enabled Key Vault for the app's secrets. The function app reads them through Key Vault
// references (@Microsoft.KeyVault(SecretUri=...)) resolved with its user-assigned identity.
//
// A secret is written only when its parameter is non-empty, so a re-deployment without the
// values (for example from the pipeline) keeps what an operator stored with
// `az keyvault secret set`. Secret values never appear in outputs.

param name string
param location string
param tags object = {}

@secure()
@description('Apple Apps and Books location token (sToken), kept for re-installation through POST /api/vpp/tokens.')
param appleLocationToken string = ''

@secure()
@description('MDM push certificate with its private key, PKCS#12 (.p12/.pfx), base64-encoded.')
param apnsCertificateBase64 string = ''

@secure()
@description('Password of the PKCS#12 MDM push certificate.')
param apnsCertificatePassword string = ''

@secure()
@description('SendGrid API key (Mail Send permission).')
param sendGridApiKey string = ''

@secure()
@description('Password of the SMTP relay account (Mail:Smtp:Password), when the app sends mail over SMTP with AUTH.')
param smtpPassword string = ''

@secure()
@description('Admin bearer key accepted on /api.')
param adminApiKey string = ''

var secretNames = {
  appleLocationToken: 'apple-location-token'
  apnsCertificate: 'apns-certificate'
  apnsCertificatePassword: 'apns-certificate-password'
  sendGridApiKey: 'sendgrid-api-key'
  smtpPassword: 'smtp-password'
  adminApiKey: 'admin-api-key'
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// One resource per secret (not a loop over a variable) so each value stays a @secure input.
resource appleLocationTokenSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(appleLocationToken)) {
  parent: vault
  name: secretNames.appleLocationToken
  properties: {
    value: appleLocationToken
    contentType: 'text/plain'
  }
}

resource apnsCertificateSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(apnsCertificateBase64)) {
  parent: vault
  name: secretNames.apnsCertificate
  properties: {
    value: apnsCertificateBase64
    contentType: 'application/x-pkcs12;base64'
  }
}

resource apnsCertificatePasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(apnsCertificatePassword)) {
  parent: vault
  name: secretNames.apnsCertificatePassword
  properties: {
    value: apnsCertificatePassword
    contentType: 'text/plain'
  }
}

resource sendGridApiKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(sendGridApiKey)) {
  parent: vault
  name: secretNames.sendGridApiKey
  properties: {
    value: sendGridApiKey
    contentType: 'text/plain'
  }
}

resource smtpPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(smtpPassword)) {
  parent: vault
  name: secretNames.smtpPassword
  properties: {
    value: smtpPassword
    contentType: 'text/plain'
  }
}

resource adminApiKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(adminApiKey)) {
  parent: vault
  name: secretNames.adminApiKey
  properties: {
    value: adminApiKey
    contentType: 'text/plain'
  }
}

// Versionless URIs: the app picks up a rotated secret on its next restart (or within a day).
var secretBaseUri = '${vault.properties.vaultUri}secrets/'

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
output secretUris object = {
  appleLocationToken: '${secretBaseUri}${secretNames.appleLocationToken}/'
  apnsCertificate: '${secretBaseUri}${secretNames.apnsCertificate}/'
  apnsCertificatePassword: '${secretBaseUri}${secretNames.apnsCertificatePassword}/'
  sendGridApiKey: '${secretBaseUri}${secretNames.sendGridApiKey}/'
  smtpPassword: '${secretBaseUri}${secretNames.smtpPassword}/'
  adminApiKey: '${secretBaseUri}${secretNames.adminApiKey}/'
}
