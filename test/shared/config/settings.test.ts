import { describe, expect, it } from 'vitest';
import { allSettingSpecs, loadSettings } from '../../../shared/config/settings.js';

describe('loadSettings', () => {
  it('gives every default when nothing is set', () => {
    const loaded = loadSettings({});
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.value.scoring.scorer).toBe('forest');
    expect(loaded.value.scoring.queryLimit).toBe(1000);
    expect(loaded.value.retraining.retrainThreshold).toBe(0.3);
  });

  it('names every bad setting and what it expected, all at once', () => {
    const loaded = loadSettings({ MRM_SCORER: 'gpt', MRM_QUERY_LIMIT: '12.5', MRM_DEAD_LETTER_CONTAINER: 'Bad_Name' });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.error.code).toBe('CONFIG.INVALID');
    expect(loaded.error.message).toContain('MRM_SCORER: expected one of forest, aml, onnx, got "gpt"');
    expect(loaded.error.message).toContain('MRM_QUERY_LIMIT: expected a whole number, got "12.5"');
    expect(loaded.error.message).toContain('MRM_DEAD_LETTER_CONTAINER: "Bad_Name" is not a valid container name');
  });

  it('requires the endpoint URL when the aml scorer is chosen', () => {
    const loaded = loadSettings({ MRM_SCORER: 'aml' });
    expect(loaded.ok).toBe(false);
    if (!loaded.ok)
      expect(loaded.error.message).toBe('Invalid settings: MRM_AML_ENDPOINT_URL: required when MRM_SCORER=aml');
  });

  it('declares each environment name once', () => {
    const names = allSettingSpecs().map((s) => s.env);
    expect(new Set(names).size).toBe(names.length);
  });
});
