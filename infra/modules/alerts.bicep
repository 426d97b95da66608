// Alert rules. Metric names and thresholds come from shared/config/monitoring.json, the file the app's metrics and
// setting defaults come from, so an alert can never watch a name the code does not emit or a threshold it does not
// use (a test checks every metric referenced here against the code).
// - to retrain and operators: drift magnitude above the retrain threshold; accuracy below the minimum; a stream
//   detector's page when streamAlarmRetrains is set.
// - to operators: low-confidence rate (log alert, two consecutive periods), a spike of rejected or
//   extraction-flagged events, dead-letter rate, function failures, no events scored (dead man's switch), a stream
//   detector's page (accuracy, score, entropy or decision share moved within minutes; the weekly job confirms).
// Rule names end with the azd environment name, so two environments in one resource group keep their own rules.
param location string
param tags object
@description('Ends every rule name (the azd environment name).')
param nameSuffix string
param appInsightsId string
param retrainActionGroupId string
param operatorsActionGroupId string
@description('Retrain rules are named with this prefix; the webhook acts only on rules matching it.')
param retrainRulePrefix string
param operatorRulePrefix string
@description('Tag the webhook reads from a retrain rule to pick the model (MRM_RETRAIN_MODEL_TAG).')
param modelTagName string
param modelName string
@description('The app\'s identity reads the retrain rules\' tags.')
param appPrincipalId string
@description('Also send a stream detector\'s page to the retrain webhook: the stream alarm rule is then a retrain rule (named and tagged as one), and the webhook claims each of its alerts once, like any retrain alert.')
param streamAlarmRetrains bool = false

var monitoring = loadJsonContent('../../shared/config/monitoring.json')
// App Insights custom metrics (OpenTelemetry) live in this namespace of the metrics store.
var customMetricsNamespace = 'azure.applicationinsights'
// Monitoring Reader: read access to the rules, for their tags.
var monitoringReader = '43d0d8ad-25c7-4714-9337-8ba259a9fe05'
var retrainTags = union(tags, { '${modelTagName}': modelName })

// Weekly drift magnitude (share of drifted features) above the retrain threshold: retrain the model.
resource driftMagnitude 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: '${retrainRulePrefix}drift-magnitude-${nameSuffix}'
  location: 'global'
  tags: retrainTags
  properties: {
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    // weeklyDrift emits once a week; a one-hour window catches it within a quarter of an hour.
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          name: 'driftMagnitude'
          criterionType: 'StaticThresholdCriterion'
          metricNamespace: customMetricsNamespace
          metricName: monitoring.metrics.driftMagnitude
          timeAggregation: 'Maximum'
          operator: 'GreaterThan'
          threshold: monitoring.thresholds.retrainDriftMagnitude
          skipMetricValidation: true
        }
      ]
    }
    actions: [
      { actionGroupId: retrainActionGroupId }
      { actionGroupId: operatorsActionGroupId }
    ]
  }
}

// Accuracy on labelled events below the minimum: retrain the model.
resource accuracy 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: '${retrainRulePrefix}accuracy-${nameSuffix}'
  location: 'global'
  tags: retrainTags
  properties: {
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: monitoring.thresholds.accuracyEvaluationFrequency
    windowSize: monitoring.thresholds.accuracyWindowSize
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          name: 'accuracy'
          criterionType: 'StaticThresholdCriterion'
          metricNamespace: customMetricsNamespace
          metricName: monitoring.metrics.accuracy
          timeAggregation: 'Average'
          operator: 'LessThan'
          threshold: monitoring.thresholds.minAccuracy
          skipMetricValidation: true
        }
      ]
    }
    actions: [
      { actionGroupId: retrainActionGroupId }
      { actionGroupId: operatorsActionGroupId }
    ]
  }
}

// The webhook reads a firing rule's tags to pick the model; it may read these two rules and nothing else.
resource readDriftRule 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(driftMagnitude.id, appPrincipalId, monitoringReader)
  scope: driftMagnitude
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringReader)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource readAccuracyRule 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(accuracy.id, appPrincipalId, monitoringReader)
  scope: accuracy
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringReader)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Per-batch rates, averaged per 15-minute period; the alert engine splits the lookback into periods itself.
var lowConfidenceQuery = format('''
customMetrics
| where name == '{0}'
| where valueCount > 0
| extend lowConfidenceRate = valueSum / todouble(valueCount)
''', monitoring.metrics.lowConfidenceRate)

// Share of predictions flagged as low confidence above the limit in consecutive 15-minute periods.
resource lowConfidence 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${operatorRulePrefix}low-confidence-rate-${nameSuffix}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Low-confidence rate high for two consecutive periods'
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: lowConfidenceQuery
          timeAggregation: 'Average'
          metricMeasureColumn: 'lowConfidenceRate'
          operator: 'GreaterThan'
          threshold: monitoring.thresholds.maxLowConfidenceRate
          failingPeriods: {
            numberOfEvaluationPeriods: monitoring.thresholds.lowConfidenceFailingPeriods
            minFailingPeriodsToAlert: monitoring.thresholds.lowConfidenceFailingPeriods
          }
        }
      ]
    }
    actions: {
      actionGroups: [operatorsActionGroupId]
    }
  }
}

// Rates over the window from the counters (event-weighted, unlike an average of per-batch rates). One row comes back
// when either rate is over its limit, so one rule covers both. The row has no time column, so the whole window is one
// period: failingPeriods would add nothing.
var suspiciousEventsQuery = format('''
customMetrics
| where name in ('{0}', '{1}', '{2}')
| summarize events = sumif(valueSum, name == '{0}'), rejected = sumif(valueSum, name == '{1}'), extractionFlagged = sumif(valueSum, name == '{2}')
| where events > 0
| extend rejectedRate = rejected / events, extractionFlaggedRate = extractionFlagged / events
| where rejectedRate > {3} or extractionFlaggedRate > {4}
''', monitoring.metrics.events, monitoring.metrics.rejected, monitoring.metrics.extractionFlagged, monitoring.thresholds.maxRejectedRate, monitoring.thresholds.maxExtractionFlaggedRate)

// Rejected (high-risk input) or extraction-flagged (probing caller) events above their share of traffic.
resource suspiciousEvents 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${operatorRulePrefix}rejected-or-extraction-spike-${nameSuffix}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Spike of rejected or extraction-flagged events'
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: suspiciousEventsQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
        }
      ]
    }
    actions: {
      actionGroups: [operatorsActionGroupId]
    }
  }
}

// Share of events dead-lettered (invalid, too large, failed to score) above the limit.
resource deadLetterRate 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: '${operatorRulePrefix}dead-letter-rate-${nameSuffix}'
  location: 'global'
  tags: tags
  properties: {
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          name: 'deadLetterRate'
          criterionType: 'StaticThresholdCriterion'
          metricNamespace: customMetricsNamespace
          metricName: monitoring.metrics.deadLetterRate
          timeAggregation: 'Average'
          operator: 'GreaterThan'
          threshold: monitoring.thresholds.maxDeadLetterRate
          skipMetricValidation: true
        }
      ]
    }
    actions: [
      { actionGroupId: operatorsActionGroupId }
    ]
  }
}

// A stream detector paged (scoreEvents, per partition; the 'Stream alarm: ' log line says which, on what numbers and
// since which event). Each detector's threshold is calibrated to MRM_STREAM_FALSE_ALARM_EVENTS, so one page is worth
// a look: Total above 0 in the window. To operators; with streamAlarmRetrains, to the retrain webhook too (then named
// with the retrain prefix and tagged with the model, as the webhook routes retrain rules).
resource streamAlarm 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: '${streamAlarmRetrains ? retrainRulePrefix : operatorRulePrefix}stream-alarm-${nameSuffix}'
  location: 'global'
  tags: streamAlarmRetrains ? retrainTags : tags
  properties: {
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          name: 'streamAlarms'
          criterionType: 'StaticThresholdCriterion'
          metricNamespace: customMetricsNamespace
          metricName: monitoring.metrics.streamAlarms
          timeAggregation: 'Total'
          operator: 'GreaterThan'
          threshold: 0
          skipMetricValidation: true
        }
      ]
    }
    actions: streamAlarmRetrains
      ? [
          { actionGroupId: retrainActionGroupId }
          { actionGroupId: operatorsActionGroupId }
        ]
      : [
          { actionGroupId: operatorsActionGroupId }
        ]
  }
}

// The webhook reads the stream alarm rule's tags too when it is a retrain rule.
resource readStreamAlarmRule 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (streamAlarmRetrains) {
  name: guid(streamAlarm.id, appPrincipalId, monitoringReader)
  scope: streamAlarm
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringReader)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Function invocations failing (exceptions, timeouts, host errors): every invocation is a request in Application
// Insights, and a failed one threw or timed out.
resource functionFailures 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: '${operatorRulePrefix}function-failures-${nameSuffix}'
  location: 'global'
  tags: tags
  properties: {
    severity: 1
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          name: 'failedInvocations'
          criterionType: 'StaticThresholdCriterion'
          metricNamespace: 'microsoft.insights/components'
          metricName: 'requests/failed'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: monitoring.thresholds.maxFunctionFailures
        }
      ]
    }
    actions: [
      { actionGroupId: operatorsActionGroupId }
    ]
  }
}

// Dead man's switch: the events scoreEvents scored in the window. A metric alert would never fire here, because it
// evaluates only data points that exist and silence has none; this query returns one row even when no event came
// (summarize without `by`), so zero is seen as zero. Fires when producers, the hub, Capture's source or the app stopped.
var noEventsQuery = format('''
customMetrics
| where name == '{0}'
| summarize events = sum(valueSum)
| extend events = coalesce(events, 0.0)
''', monitoring.metrics.events)

resource noEventsScored 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${operatorRulePrefix}no-events-scored-${nameSuffix}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'No events scored (dead man\'s switch)'
    severity: 1
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT15M'
    windowSize: monitoring.thresholds.noEventsWindow
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: noEventsQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'events'
          operator: 'LessThan'
          threshold: 1
        }
      ]
    }
    actions: {
      actionGroups: [operatorsActionGroupId]
    }
  }
}

output retrainRuleNames array = [driftMagnitude.name, accuracy.name]
