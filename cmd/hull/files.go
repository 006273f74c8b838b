package main

import (
	"context"
	"errors"
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
		store, err := openBucket(ctx, cfg, c.FilesBucket)
		if err != nil {
			return nil, err
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

// openBucket opens one bucket of the configured S3/R2 endpoint.
func openBucket(ctx context.Context, cfg config.Config, bucket string) (blob.Store, error) {
	c := cfg.Storage.S3
	store, err := s3.Open(ctx, s3.Options{
		Endpoint:        c.Endpoint,
		Region:          c.Region,
		Bucket:          bucket,
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
	return store, nil
}

// openSnapshots opens the bucket exports and backups go to when
// S3_STORAGE_EXPORTS_BUCKET names one; nil keeps them beside the files
// (under snapshots/ and backups/).
func openSnapshots(ctx context.Context, cfg config.Config, log *slog.Logger) (blob.Store, error) {
	c := cfg.Storage.S3
	if !cfg.UsesS3() || c.ExportsBucket == "" || c.ExportsBucket == c.FilesBucket {
		return nil, nil
	}
	store, err := openBucket(ctx, cfg, c.ExportsBucket)
	if err != nil {
		return nil, err
	}
	logStorage(log, "exports and backups on S3", "bucket", c.ExportsBucket)
	return store, nil
}

// withSnapshots is the file store carrying the separate store of exports
// and backups, so both close together.
type withSnapshots struct {
	blob.Store
	snaps blob.Store
}

func (w withSnapshots) Close() error {
	return errors.Join(w.Store.Close(), w.snaps.Close())
}

// unwrapFiles is the file store itself, with the optional interfaces
// (such as blob.Cleaner) the application looks for.
func unwrapFiles(files blob.Store) blob.Store {
	if w, ok := files.(withSnapshots); ok {
		return w.Store
	}
	return files
}
