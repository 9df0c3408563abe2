// TensorBoard event files from run folders (`ume-studio dashboard RUN... --tensorboard DIR`).
export { crc32c, maskedCrc32c } from './crc32c';
export { encodeEvent, tfRecord, type TbEvent, type TbHistogram } from './event-proto';
export { histogramOf, metricsEvent } from './metrics-events';
export { TensorBoardWriter, EVENT_FILE_SUFFIX, FILE_VERSION } from './event-writer';
export { exportRunsToTensorBoard, type TensorBoardExport } from './export-runs';
