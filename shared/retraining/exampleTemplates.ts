/**
 * The built-in templates, used when MRM_RETRAIN_JOB_TEMPLATE is unset (dry runs) and published as
 * examples/retrain-job.template.json and examples/retrain-endpoint.template.json (a test keeps them equal).
 * `<angle brackets>` are the user's to replace; `{{name}}` are filled per request; `${{...}}` is Azure ML's own syntax.
 */
export const EXAMPLE_JOB_TEMPLATE = {
  $comment:
    'Body of PUT .../workspaces/<workspace>/jobs/{{jobName}} (Azure ML jobs API). Replace the <...> parts with your compute, code and environment; {{...}} placeholders are filled by retrainWebhook.',
  properties: {
    jobType: 'Command',
    experimentName: 'mrm-retraining',
    displayName: 'Retrain {{model}} ({{magnitude}})',
    description: '{{reason}}',
    tags: {
      'mrm-model': '{{model}}',
      'mrm-alert-id': '{{alertId}}',
      'mrm-alert-rule': '{{alertRule}}',
      'mrm-claim': '{{claimKey}}',
      'mrm-magnitude': '{{magnitude}}',
      'mrm-drifted-features': '{{features}}',
    },
    computeId:
      '/subscriptions/<subscription>/resourceGroups/<resource-group>/providers/Microsoft.MachineLearningServices/workspaces/<workspace>/computes/<cpu-cluster>',
    codeId:
      '/subscriptions/<subscription>/resourceGroups/<resource-group>/providers/Microsoft.MachineLearningServices/workspaces/<workspace>/codes/<retrain-code>/versions/<1>',
    environmentId: 'azureml://registries/azureml/environments/sklearn-1.5/labels/latest',
    command:
      // Each input quoted: Azure ML puts values in place textually, and a shell runs the command.
      "python train.py --capture '${{inputs.capture}}' --window-start '${{inputs.window_start}}' --window-end '${{inputs.window_end}}' --features '${{inputs.features}}' --model-name '${{inputs.model}}'",
    inputs: {
      capture: {
        jobInputType: 'uri_folder',
        mode: 'ReadOnlyMount',
        uri: 'azureml://datastores/<capture-datastore>/paths/{{capturePrefix}}',
      },
      window_start: { jobInputType: 'literal', value: '{{captureWindowStart}}' },
      window_end: { jobInputType: 'literal', value: '{{captureWindowEnd}}' },
      features: { jobInputType: 'literal', value: '{{featuresJson}}' },
      model: { jobInputType: 'literal', value: '{{model}}' },
    },
  },
};

export const EXAMPLE_ENDPOINT_TEMPLATE = {
  $comment:
    'Body of POST <invocation URL of a batch or pipeline endpoint> (MRM_RETRAIN_MODE=pipeline-endpoint). Input names are those of your pipeline component; {{...}} placeholders are filled by retrainWebhook.',
  properties: {
    InputData: {
      capture: { JobInputType: 'UriFolder', Uri: 'azureml://datastores/<capture-datastore>/paths/{{capturePrefix}}' },
      window_start: { JobInputType: 'Literal', Value: '{{captureWindowStart}}' },
      window_end: { JobInputType: 'Literal', Value: '{{captureWindowEnd}}' },
      features: { JobInputType: 'Literal', Value: '{{featuresJson}}' },
      model: { JobInputType: 'Literal', Value: '{{model}}' },
    },
    Tags: { 'mrm-claim': '{{claimKey}}', 'mrm-job-name': '{{jobName}}', 'mrm-alert-id': '{{alertId}}' },
  },
};
