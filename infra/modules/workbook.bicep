// The dashboard: an Azure Monitor workbook on the App Insights resource (infra/README.md "Dashboard"). Its layout and
// queries are workbook.json; metric names, thresholds and log-line prefixes are placeholders filled here from
// shared/config/monitoring.json, the file the app and the alert rules use, so the dashboard can never chart a name the
// code does not emit or draw a threshold the alerts do not use (test/infra/modules/workbook.test.ts).
param location string
param tags object
param appInsightsId string
@description('The azd environment name: in the title, and the suffix of the rule names the alert history shows.')
param nameSuffix string
param displayName string

var monitoring = loadJsonContent('../../shared/config/monitoring.json')
var placeholders = concat(
  map(items(monitoring.metrics), m => { key: 'metrics.${m.key}', value: m.value }),
  map(items(monitoring.thresholds), t => { key: 'thresholds.${t.key}', value: string(t.value) }),
  map(items(monitoring.logs), l => { key: 'logs.${l.key}', value: l.value }),
  [{ key: 'nameSuffix', value: nameSuffix }]
)
var serializedData = reduce(placeholders, loadTextContent('workbook.json'), (text, p) => replace(text, '{{${p.key}}}', p.value))

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID; this one is stable per App Insights resource, so provisioning updates it.
  name: guid(appInsightsId, 'mrm-dashboard')
  location: location
  tags: union(tags, { 'hidden-title': displayName })
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: appInsightsId
    serializedData: serializedData
    version: 'Notebook/1.0'
  }
}

output id string = workbook.id
