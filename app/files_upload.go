package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"hull/value"
)

// UploadURL mints a single-use upload URL (storage.generateUploadUrl) of
// the app.
func (f *Files) UploadURL(origin string) (string, error) { return f.UploadURLFor(origin, "") }

// UploadURLFor mints a single-use upload URL whose file goes to the
// _storage of the component instance at component ("" for the app); the
// token's signature covers the component.
func (f *Files) UploadURLFor(origin, component string) (string, error) {
	if f.store == nil {
		return "", errNoStore
	}
	tok := newUploadToken(f.opts.TokenKey, f.now().Add(f.opts.UploadURLTTL), component)
	u := origin + "/api/storage/upload?token=" + url.QueryEscape(tok)
	if component != "" {
		u += "&component=" + url.QueryEscape(component)
	}
	return u, nil
}

// Upload is one POST to an upload URL.
type Upload struct {
	Token string
	// Component is the URL's component parameter: the instance the file
	// belongs to ("" for the app).
	Component   string
	ContentType string
	// Length is the declared body length, or -1.
	Length int64
	Body   io.Reader
	// SHA256, if set, is the digest the client declared; a body that
	// does not match is refused.
	SHA256 []byte
}

// errUploadTooLarge is the error of a body over MaxUploadBytes.
type errUploadTooLarge struct{ limit int64 }

func (e *errUploadTooLarge) Error() string {
	return fmt.Sprintf("the file is larger than the upload limit of %d bytes (--max-upload-bytes / HULL_MAX_UPLOAD_BYTES)", e.limit)
}

// limitedReader fails with *errUploadTooLarge past limit bytes.
type limitedReader struct {
	r     io.Reader
	left  int64
	limit int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, &errUploadTooLarge{l.limit}
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return 0, &errUploadTooLarge{l.limit}
	}
	return n, err
}

func tokenError(err error) error {
	return &Error{Status: 403, Code: "InvalidStorageUploadUrl", Message: err.Error()}
}

// Upload stores the body of a POST to an upload URL and returns the new
// file's _storage id. The token is checked before any byte is read, the
// bytes stream to the blob store, and the metadata and the token's use
// commit together once the bytes are durable: an upload cut short, too
// large or refused leaves nothing visible.
func (f *Files) Upload(ctx context.Context, u Upload) (value.ID, error) {
	if f.store == nil {
		return value.ID{}, errNoStore
	}
	tok, err := parseUploadToken(f.opts.TokenKey, u.Token, u.Component, f.now())
	if err != nil {
		return value.ID{}, tokenError(err)
	}
	if used, err := f.tokenUsed(ctx, tok); err != nil {
		return value.ID{}, err
	} else if used {
		return value.ID{}, tokenError(errTokenUsed)
	}
	limit := f.opts.MaxUploadBytes
	if u.Length > limit {
		return value.ID{}, &Error{Status: 413, Code: "PayloadTooLarge", Message: (&errUploadTooLarge{limit}).Error()}
	}
	uuid := newUUID()
	key := blobKey(uuid)
	f.track(key)
	defer f.untrack(key)
	res, err := f.store.Put(ctx, key, &limitedReader{r: bodyReader{u.Body}, left: limit, limit: limit})
	if err != nil {
		var tl *errUploadTooLarge
		var re *readError
		switch {
		case errors.As(err, &tl):
			return value.ID{}, &Error{Status: 413, Code: "PayloadTooLarge", Message: tl.Error()}
		case errors.As(err, &re) || ctx.Err() != nil:
			return value.ID{}, &Error{Status: 400, Code: "BadRequest", Message: "the upload was cut short: " + err.Error(), Err: err}
		}
		return value.ID{}, f.storeError("store", err)
	}
	committed := false
	defer func() {
		if !committed {
			f.removeBytes(key)
		}
	}()
	if u.SHA256 != nil && string(u.SHA256) != string(res.SHA256[:]) {
		return value.ID{}, shaMismatch(u.SHA256, res)
	}
	var id value.ID
	err = f.db.Retry(ctx, func(ctx context.Context) error {
		tx, err := f.db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if _, used, err := firstInIndex(ctx, tx, uploadTokensTable, tokensByNonce, "nonce", tok.nonce); err != nil {
			return err
		} else if used {
			return tokenError(errTokenUsed)
		}
		if _, err := tx.SystemInsert(ctx, uploadTokensTable, value.MustObject(
			value.Field{Name: "nonce", Value: value.String(tok.nonce)},
			value.Field{Name: "expires", Value: value.Float64(tok.expires.UnixMilli())},
		)); err != nil {
			return err
		}
		if id, err = f.insert(ctx, tx.In(u.Component), uuid, res, u.ContentType); err != nil {
			return err
		}
		_, err = tx.Commit(ctx)
		return err
	})
	if err != nil {
		return value.ID{}, err
	}
	committed = true
	return id, nil
}

// readError marks an error from reading an upload's body, as opposed to
// one from the store.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// bodyReader marks the errors of an upload's body.
type bodyReader struct{ r io.Reader }

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = &readError{err}
	}
	return n, err
}

// tokenUsed reports whether the token's nonce is recorded as used.
func (f *Files) tokenUsed(ctx context.Context, tok uploadToken) (bool, error) {
	tx, err := f.db.BeginRead(ctx, 0)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	_, used, err := firstInIndex(ctx, tx, uploadTokensTable, tokensByNonce, "nonce", tok.nonce)
	return used, err
}

// removeBytes deletes bytes that never got metadata, in the background
// (the request may be gone); the sweep catches a failure.
func (f *Files) removeBytes(key string) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := f.store.Delete(ctx, key); err != nil {
			f.log.Warn("file storage: removing the bytes of a refused upload failed; the sweep will retry", "key", key, "err", err)
		}
	}()
}
