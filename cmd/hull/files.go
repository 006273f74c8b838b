package main

import (
	"context"
	"log/slog"

	"hull/blob"
	"hull/blob/local"
	"hull/blob/s3"
	"hull/config"
)

// openFiles opens the blob store for file storage: the configured S3/R2
// bucket, checked with one request (a missing bucket or refused
// credentials fail the start with a hint), or the local folder.
func openFiles(ctx context.Context, cfg config.Config, log *slog.Logger) (blob.Store, error) {
	if cfg.UsesS3() {
		c := cfg.Storage.S3
		store, err := s3.Open(ctx, s3.Options{
			Endpoint:        c.Endpoint,
			Region:          c.Region,
			Bucket:          c.FilesBucket,
			Prefix:          c.KeyPrefix,
			AccessKeyID:     c.AccessKeyID,
			SecretAccessKey: c.SecretAccessKey,
			SessionToken:    c.SessionToken,
			VirtualHosted:   !c.ForcePathStyle,
			PartSize:        c.PartSize,
		})
		if err != nil {
			return nil, &storageError{err: err, hint: blob.Hint(err)}
		}
		logStorage(log, "file storage on S3", "bucket", c.FilesBucket, "endpoint", c.Endpoint, "region", c.Region, "prefix", c.KeyPrefix)
		if c.ModulesBucket != "" || c.SearchBucket != "" {
			log.Info("S3_STORAGE_MODULES_BUCKET and S3_STORAGE_SEARCH_BUCKET are not needed: hull keeps modules and search indexes in the database", "component", "storage")
		}
		return store, nil
	}
	if c := cfg.Storage.S3; c.Endpoint != "" || c.ExportsBucket != "" || c.SnapshotImportsBucket != "" || c.ModulesBucket != "" || c.SearchBucket != "" {
		log.Warn("S3 settings are present but S3_STORAGE_FILES_BUCKET is not: files stay in the local folder; "+
			"set S3_STORAGE_FILES_BUCKET to keep them in S3/R2", "component", "storage", "path", cfg.FilesDir())
	}
	store, err := local.Open(cfg.FilesDir())
	if err != nil {
		return nil, &storageError{err: err, hint: blob.Hint(err)}
	}
	logStorage(log, "file storage in a local folder", "path", store.Root())
	return store, nil
}
