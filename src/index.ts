/**
 * The library entry: the engine without its command line. Importing it starts nothing — no
 * adapter is requested, no file read, no job run — until the caller calls `initEngine()`
 * (test/index.test.ts checks this). The same module is the root of the browser build
 * (web/build.mjs), where src/gpu/host-web.ts stands in for the Node host, so everything
 * exported here runs in a page; functions taking a path (saveEncoder, loadEncoder, pretrain's
 * run folder) are Node-only, their byte-level halves (encodeSafetensors, parseSafetensors,
 * stateDict, encoderFromState) work everywhere.
 */
export { initEngine, backward, Tensor, tidy, G, noGrad } from './tensor/index.js';
export { gpu, resetGpu, type Gpu, type DeviceSummary } from './gpu/device.js';
export { host, type Host } from './gpu/host.js';
export { isSoftware, type Found } from './gpu/adapter-info.js';
export { kernelFiles, kernelSource } from './gpu/kernels.js';
export { forceKernel, withKernel } from './gpu/policy.js';

export { createEncoder, describeEncoder, type Encoder, type EncoderSpec } from './nn/encoder.js';
export { stateDict, loadStateDict, encoderFromState, encodeEncoder, metadataOf, saveEncoder, loadEncoder } from './nn/checkpoint.js';
export { I2MDModel } from './i2md/model.js';
export { pretrainStep, partsAt, i2mdLoss, type LossTerms } from './i2md/step.js';
export { presets, presetNames, resolveEpochs, fitQueueToData, type PretrainConfig, type PresetName, type Modality } from './i2md/config.js';
export { pretrain, scheduleOf, augmentOf, type PretrainOptions, type PretrainResult } from './i2md/pretrain.js';
export { RunningMeans } from './i2md/telemetry.js';
export { SGD } from './optim/sgd.js';

export { extractFeatures, type FeatureSet } from './eval/features.js';
export { knnEvaluate, l2NormalizeRows, type KnnResult } from './eval/knn.js';

export { generateSynthetic, type SyntheticResult } from './skeleton/synthetic/generate.js';
export { getLayout, layoutNames, type Layout } from './skeleton/layouts.js';
export { ArrayDataset, SubsetDataset, type SkeletonDataset } from './data/dataset.js';
export { Loader } from './data/loader.js';
export { encodeSafetensors, parseSafetensors, type TensorMap } from './data/safetensors.js';
export { parseNpyHeader, type NpyHeader } from './data/npy-format.js';
export { l2Normalize } from './ops/softmax.js';
