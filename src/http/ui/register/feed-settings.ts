/** The register feed's settings (REGISTER_UPLOAD_MAX_MB, REGISTER_DROP_DIR), as the pages use them. */
export interface RegisterFeedSettings {
  uploadMaxBytes: number;
  dropDir: string | null;
}

export const DEFAULT_FEED_SETTINGS: RegisterFeedSettings = { uploadMaxBytes: 512 * 1024 * 1024, dropDir: null };
