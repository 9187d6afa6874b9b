import { describe, expect, it } from 'vitest';
import { ConfigurationError, realtimeUrl, redactUrl } from '../../src/client';

describe('realtimeUrl', () => {
  it('builds the Azure preview URL of the seed from a portal endpoint', () => {
    expect(
      realtimeUrl({
        endpoint: 'https://my-resource.openai.azure.com/',
        deployment: 'gpt-4o-realtime-preview',
      }),
    ).toEqual({
      url: 'wss://my-resource.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=gpt-4o-realtime-preview',
      dialect: 'preview',
      service: 'azure',
    });
  });

  it('keeps other dated preview versions', () => {
    for (const apiVersion of ['2024-10-01-preview', '2024-12-17']) {
      expect(realtimeUrl({ endpoint: 'wss://r.openai.azure.com', deployment: 'd', apiVersion }).url).toBe(
        `wss://r.openai.azure.com/openai/realtime?api-version=${apiVersion}&deployment=d`,
      );
    }
  });

  it('builds the Azure GA URL without api-version', () => {
    expect(
      realtimeUrl({ endpoint: 'https://r.openai.azure.com', deployment: 'gpt-realtime', dialect: 'ga' }),
    ).toEqual({
      url: 'wss://r.openai.azure.com/openai/v1/realtime?model=gpt-realtime',
      dialect: 'ga',
      service: 'azure',
    });
    expect(() =>
      realtimeUrl({
        endpoint: 'https://r.openai.azure.com',
        deployment: 'd',
        dialect: 'ga',
        apiVersion: '2025-04-01-preview',
      }),
    ).toThrow(
      new ConfigurationError(
        'apiVersion is only for the preview dialect: the GA endpoint answers 401 to one',
      ),
    );
  });

  it('builds the OpenAI URL, GA by default', () => {
    expect(realtimeUrl({ model: 'gpt-realtime' })).toEqual({
      url: 'wss://api.openai.com/v1/realtime?model=gpt-realtime',
      dialect: 'ga',
      service: 'openai',
    });
    expect(realtimeUrl({ model: 'gpt-4o-realtime-preview', dialect: 'preview' }).dialect).toBe('preview');
  });

  it('uses a custom URL as given, with the dialect its path implies', () => {
    expect(
      realtimeUrl({ url: 'wss://proxy.example/openai/realtime?api-version=x&deployment=y' }).dialect,
    ).toBe('preview');
    expect(realtimeUrl({ url: 'wss://proxy.example/v1/realtime?model=y' })).toEqual({
      url: 'wss://proxy.example/v1/realtime?model=y',
      dialect: 'ga',
      service: 'custom',
    });
  });

  it('puts the key in the query only when asked', () => {
    expect(
      realtimeUrl({
        endpoint: 'https://r.openai.azure.com',
        deployment: 'd',
        apiKey: 'k1',
        apiKeyIn: 'query',
      }).url,
    ).toBe('wss://r.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=d&api-key=k1');
    expect(
      realtimeUrl({ endpoint: 'https://r.openai.azure.com', deployment: 'd', apiKey: 'k1' }).url,
    ).not.toContain('k1');
  });

  it('refuses plain ws:// beyond loopback unless allowed', () => {
    expect(() => realtimeUrl({ endpoint: 'http://example.com', deployment: 'd' })).toThrow(
      'refusing plain ws:// to example.com: keys and audio would travel unencrypted (use wss://, or allowInsecure: true)',
    );
    expect(realtimeUrl({ endpoint: 'http://example.com', deployment: 'd', allowInsecure: true }).url).toMatch(
      /^ws:\/\/example\.com\//,
    );
    expect(realtimeUrl({ endpoint: 'http://127.0.0.1:8080', deployment: 'd' }).url).toMatch(
      /^ws:\/\/127\.0\.0\.1:8080\//,
    );
  });

  it('says what is missing', () => {
    expect(() => realtimeUrl({})).toThrow('no url, endpoint or model: say where to connect');
    expect(() => realtimeUrl({ endpoint: 'https://r.openai.azure.com' })).toThrow(
      'endpoint is set but deployment is not: name the Azure deployment',
    );
    expect(() => realtimeUrl({ endpoint: 'not a url with secret-key' })).toThrow(
      new ConfigurationError('endpoint is not a valid URL'),
    );
  });

  it('redacts keys in URLs', () => {
    expect(redactUrl('wss://r/openai/realtime?api-version=v&api-key=SECRET')).toBe(
      'wss://r/openai/realtime?api-version=v&api-key=***',
    );
  });
});

describe('realtimeUrl: transcription sessions', () => {
  it('adds intent=transcription for Azure GA and OpenAI', () => {
    expect(
      realtimeUrl({
        endpoint: 'https://r.openai.azure.com',
        deployment: 'd',
        dialect: 'ga',
        intent: 'transcription',
      }).url,
    ).toBe('wss://r.openai.azure.com/openai/v1/realtime?model=d&intent=transcription');
    expect(realtimeUrl({ model: 'gpt-realtime', intent: 'transcription' }).url).toBe(
      'wss://api.openai.com/v1/realtime?model=gpt-realtime&intent=transcription',
    );
  });
});
