/**
 * What an adapter is, without finding one: the backends Dawn knows, the record a search returns,
 * and the software-adapter test. Free of Node APIs, so the browser host (src/gpu/host-web.ts)
 * describes navigator.gpu's adapter with the same record the Node search (src/gpu/adapter.ts)
 * returns.
 */
import type { ThreadsChoice } from './threads.js';

export const knownBackends = ['vulkan', 'opengles', 'opengl', 'metal', 'd3d12', 'd3d11', 'null'] as const;
export type Backend = (typeof knownBackends)[number];

export interface Found {
  adapter: GPUAdapter;
  backend: Backend | 'default';
  featureLevel: 'core' | 'compatibility';
  software: boolean;
  /** WGSL language features of the instance that found the adapter (e.g. unrestricted_pointer_parameters). */
  wgslFeatures: string[];
  /** Software adapters in Node: the threads Mesa runs each dispatch on and why (src/gpu/threads.ts). */
  threads?: ThreadsChoice;
}

const softwareNames = /llvmpipe|lavapipe|swiftshader|softpipe|software|microsoft basic/i;

export function isSoftware(info: GPUAdapterInfo): boolean {
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  return softwareNames.test(text) || (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
}

