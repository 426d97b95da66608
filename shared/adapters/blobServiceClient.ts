import { BlobServiceClient } from '@azure/storage-blob';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { MrmError } from '../errors.js';
import type { Environment } from '../config/settings.js';

/**
 * Builds a BlobServiceClient from a Functions-style connection name: `<name>` holding a connection string (local,
 * Azurite) or `<name>__blobServiceUri` / `<name>__accountName` with a managed identity (`<name>__clientId` for a
 * user-assigned one), as the Functions host itself resolves `AzureWebJobsStorage`.
 */
export function blobServiceClientFor(connectionName: string, env: Environment): BlobServiceClient {
  const connectionString = env[connectionName];
  if (connectionString && connectionString.trim() !== '') {
    if (connectionString.trim() === 'UseDevelopmentStorage=true') {
      return BlobServiceClient.fromConnectionString(connectionString.trim());
    }
    try {
      return BlobServiceClient.fromConnectionString(connectionString.trim());
    } catch (cause) {
      throw new MrmError(
        'configuration',
        'CONFIG.STORAGE_CONNECTION',
        `${connectionName} is not a valid storage connection string`,
        {
          cause,
        },
      );
    }
  }
  const serviceUri =
    env[`${connectionName}__blobServiceUri`] ??
    (env[`${connectionName}__accountName`]
      ? `https://${env[`${connectionName}__accountName`]}.blob.core.windows.net`
      : undefined);
  if (!serviceUri) {
    throw new MrmError(
      'configuration',
      'CONFIG.STORAGE_CONNECTION',
      `No storage connection: set ${connectionName} (a connection string) or ${connectionName}__blobServiceUri (managed identity)`,
    );
  }
  return new BlobServiceClient(serviceUri, credentialFor(connectionName, env));
}

/** The identity of a connection: the user-assigned managed identity named by `<name>__clientId`, else the default chain. */
export function credentialFor(connectionName: string, env: Environment): TokenCredential {
  const clientId = env[`${connectionName}__clientId`] ?? env.AZURE_CLIENT_ID;
  if (env[`${connectionName}__credential`] === 'managedidentity') {
    return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
  }
  return clientId ? new DefaultAzureCredential({ managedIdentityClientId: clientId }) : new DefaultAzureCredential();
}
