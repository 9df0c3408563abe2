// The only file in the repository that imports onnxruntime-node (REFERENCE.md §5: one module owns
// the ORT import). Everything else goes through `runtime/index.ts`, so swapping the binding
// (e.g. onnxruntime-web in a webview) or loading it lazily touches one place.

import * as ort from 'onnxruntime-node';

export { ort };
export type OrtTensor = ort.Tensor;
export type OrtSession = ort.InferenceSession;
export type OrtSessionOptions = ort.InferenceSession.SessionOptions;
export type OrtValueMetadata = ort.InferenceSession.ValueMetadata;
