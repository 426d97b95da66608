import { container, text, optionalText } from '../setting.js';

/** Settings every function reads. Storage and Event Hubs connections follow the Functions host's own conventions. */
export const coreSettings = {
  storageConnection: text(
    'MRM_STORAGE_CONNECTION_NAME',
    'Name of the storage connection the app uses for its own blobs (profile, dead letters, reports, state). The connection itself is `<name>` (a connection string, locally) or `<name>__blobServiceUri` (managed identity, in Azure).',
    'AzureWebJobsStorage',
    ['all'],
  ),
  baselineContainer: container('MRM_BASELINE_CONTAINER', 'Container holding the baseline profile.', 'baseline', [
    'all',
  ]),
  baselineBlob: text(
    'MRM_BASELINE_BLOB',
    'Blob name of the baseline profile (written by `mrm baseline`).',
    'profile.json',
    ['all'],
  ),
  appInsightsConnectionString: optionalText(
    'APPLICATIONINSIGHTS_CONNECTION_STRING',
    'Application Insights connection string. When set, metrics are exported there through OpenTelemetry; when unset, not at all.',
    ['all'],
    { sample: '' },
  ),
  appInsightsAuthentication: optionalText(
    'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
    'Entra authentication for Application Insights (`Authorization=AAD;ClientId=<identity client id>`), required when local auth is disabled.',
    ['all'],
    { sample: '' },
  ),
  managedIdentityClientId: optionalText(
    'AZURE_CLIENT_ID',
    'Client id of the user-assigned managed identity the app authenticates with (Azure ML, ARM, Log Analytics).',
    ['all'],
    { sample: '' },
  ),
} as const;
