/**
 * The wire shapes an Azure ML online endpoint may speak. MLflow deployments without a scoring script accept the
 * `input_data` split format (the default) or `dataframe_records`; custom scoring scripts often take `{"data": [[...]]}`.
 * What comes back depends on the model: `predict_proba` rows, bare labels, or either wrapped in `{"predictions": ...}`.
 */
export type AmlRequestFormat = 'mlflow-split' | 'mlflow-records' | 'data-array';
export type AmlResponseFormat = 'probabilities' | 'labels' | 'predictions-object';

/** The scope of Entra tokens for Azure ML online endpoints (azure-facts.md). */
export const amlTokenScope = 'https://ml.azure.com/.default';
