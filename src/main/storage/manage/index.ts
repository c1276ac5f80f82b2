// What a person does with a data folder (the Storage view and `berth usage|gc|…`), over the core store.
export { collectGarbage, type GcOptions } from './gc'
export { checkAdoptable, copyDataFolder, inspectFolder, normalizeDataDir } from './folders'
export { applyRetention, retentionCandidates } from './retention'
export type { ProgressFn } from './scan'
export { clearServing, markServing, servingProcess, type ServingInfo } from './serving-lock'
export { isLowSpace, storageUsage } from './usage'
export { verifyStorage } from './verify'
export type { ConfigInfo, ManifestInfo } from './inspect'
