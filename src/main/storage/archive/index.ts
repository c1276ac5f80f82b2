// Export and import of images as files, for machines that cannot reach each other's registry.
export { exportImages, type ExportOptions } from './export'
export { importArchive, type ImportOptions } from './import'
export { previewImport } from './preview'
export type { ArchiveProgress, ProgressListener } from './progress'
