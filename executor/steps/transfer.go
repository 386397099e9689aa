package steps

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/proto/models"
)

// Fetcher downloads (or serves from its cache) an artifact as a tar stream
// ready for Garden StreamIn, and reports the downloaded size.
type Fetcher interface {
	Fetch(ctx context.Context, from *url.URL, cacheKey, checksumAlgorithm, checksumValue string) (io.ReadCloser, int64, error)
}

// Download fetches an artifact and streams it into the container at To.
type Download struct {
	Container garden.Container
	Action    *models.DownloadAction
	Fetcher   Fetcher
	Streamer  Streamer
	// Limit, if set, bounds concurrent downloads across steps.
	Limit chan struct{}
}

// Run downloads and copies the artifact. It is ready at once.
func (d Download) Run(ctx context.Context, ready func()) error {
	once(ready)()
	if d.Limit != nil {
		select {
		case d.Limit <- struct{}{}:
			defer func() { <-d.Limit }()
		case <-ctx.Done():
			return ErrCancelled
		}
	}
	artifact := d.Action.GetArtifact()
	d.emit("Downloading %s...\n", artifact)
	stream, size, err := d.fetch(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ErrCancelled
		}
		msg := "Downloading failed"
		if artifact != "" {
			msg = fmt.Sprintf("Downloading %s failed", artifact)
		}
		d.emitError(msg + "\n")
		return Emittable(err, msg)
	}
	err = d.Container.StreamIn(garden.StreamInSpec{Path: d.Action.GetTo(), User: d.Action.GetUser(), TarStream: stream})
	stream.Close()
	if err != nil {
		msg := fmt.Sprintf("Copying into the container failed: %v", err)
		if artifact != "" {
			msg = fmt.Sprintf("Copying %s into the container failed: %v", artifact, err)
		}
		d.emitError(msg + "\n")
		return Emittable(err, msg)
	}
	if size != 0 {
		d.emit("Downloaded %s (%s)\n", artifact, ByteSize(uint64(size)))
	} else {
		d.emit("Downloaded %s\n", artifact)
	}
	return nil
}

func (d Download) fetch(ctx context.Context) (io.ReadCloser, int64, error) {
	u, err := url.ParseRequestURI(d.Action.GetFrom())
	if err != nil {
		return nil, 0, err
	}
	return d.Fetcher.Fetch(ctx, u, d.Action.GetCacheKey(), d.Action.GetChecksumAlgorithm(), d.Action.GetChecksumValue())
}

func (d Download) emit(format string, args ...any) {
	if d.Action.GetArtifact() != "" {
		fmt.Fprintf(d.Streamer.Stdout(), format, args...)
	}
}

func (d Download) emitError(msg string) { emitTruncated(d.Streamer, msg) }

// emitTruncated writes msg to stderr, cut to 1024 bytes as upstream does.
func emitTruncated(s Streamer, msg string) {
	const limit, suffix = 1024, " (error truncated)"
	if len(msg) > limit {
		msg = msg[:limit-len(suffix)] + suffix
	}
	io.WriteString(s.Stderr(), msg)
}

// ByteSize formats n like upstream's bytefmt: "512B", "1.5K", "12M".
func ByteSize(n uint64) string {
	units := []struct {
		size uint64
		name string
	}{{1 << 40, "T"}, {1 << 30, "G"}, {1 << 20, "M"}, {1 << 10, "K"}}
	for _, u := range units {
		if n >= u.size {
			s := strconv.FormatFloat(float64(n)/float64(u.size), 'f', 1, 64)
			return strings.TrimSuffix(s, ".0") + u.name
		}
	}
	return strconv.FormatUint(n, 10) + "B"
}

// Upload streams a file out of the container and POSTs it to To.
type Upload struct {
	Container garden.Container
	Action    *models.UploadAction
	Streamer  Streamer
	Client    *http.Client
	// Attempts is how often the POST is tried (upstream: 3).
	Attempts int
}

// Upload failure texts, as upstream emits them.
const (
	errEstablishStream = "Failed to establish stream from container"
	errReadTar         = "Failed to find first item in tar stream"
	errCopyStream      = "Failed to copy stream contents into temp file"
	errParseURL        = "Failed to parse URL"
	errUpload          = "Failed to upload payload"
)

// Run uploads the file. It is ready at once.
func (u Upload) Run(ctx context.Context, ready func()) error {
	once(ready)()
	if u.Action.GetArtifact() != "" {
		fmt.Fprintf(u.Streamer.Stdout(), "Uploading %s...\n", u.Action.GetArtifact())
	}
	target, err := url.ParseRequestURI(u.Action.GetTo())
	if err != nil {
		return u.fail(err, errParseURL)
	}
	out, err := u.Container.StreamOut(garden.StreamOutSpec{Path: u.Action.GetFrom(), User: u.Action.GetUser()})
	if err != nil {
		return u.fail(err, errEstablishStream)
	}
	defer out.Close()
	tr := tar.NewReader(out)
	if _, err := tr.Next(); err != nil {
		return u.fail(err, errReadTar)
	}
	payload, err := io.ReadAll(tr)
	if err != nil {
		return u.fail(err, errCopyStream)
	}
	attempts := max(u.Attempts, 1)
	for i := 0; i < attempts; i++ {
		if err = u.post(ctx, target, payload); err == nil || ctx.Err() != nil {
			break
		}
	}
	if ctx.Err() != nil {
		return ErrCancelled
	}
	if err != nil {
		emitTruncated(u.Streamer, u.artifactErr(errUpload))
		return err
	}
	if u.Action.GetArtifact() != "" {
		fmt.Fprintf(u.Streamer.Stdout(), "Uploaded %s (%s)\n", u.Action.GetArtifact(), ByteSize(uint64(len(payload))))
	}
	return nil
}

func (u Upload) post(ctx context.Context, target *url.URL, payload []byte) error {
	md5sum := md5.Sum(payload)
	shasum := sha256.Sum256(payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.ContentLength = int64(len(payload))
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(md5sum[:]))
	req.Header.Set("Content-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(shasum[:])+":")
	client := u.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return errors.New("upload failed: status code " + strconv.Itoa(resp.StatusCode))
	}
	return nil
}

func (u Upload) artifactErr(msg string) string {
	if u.Action.GetArtifact() != "" {
		return fmt.Sprintf("%s for %s", msg, u.Action.GetArtifact())
	}
	return msg
}

func (u Upload) fail(err error, msg string) error {
	text := u.artifactErr(msg)
	emitTruncated(u.Streamer, text)
	return Emittable(err, text)
}
