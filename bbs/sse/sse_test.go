package sse

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"net/http/httputil"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/proto/models"
)

func TestEventTextIsUpstreamFraming(t *testing.T) {
	msg := &models.TaskRemovedEvent{Task: &models.Task{TaskGuid: "t1"}}
	ev, err := NewEvent(7, "task_removed", msg)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := proto.Marshal(msg)
	want := "id: 7\nevent: task_removed\ndata: " + base64.StdEncoding.EncodeToString(raw) + "\n\n"
	if got := string(ev.Encode()); got != want {
		t.Fatalf("encoded event:\n%q\nwant\n%q", got, want)
	}
}

func TestChunksUseSemicolonSizeLineAndDechunk(t *testing.T) {
	var buf bytes.Buffer
	a := Event{ID: "0", Name: "a", Data: []byte("AAAA")}
	b := Event{ID: "1", Name: "b", Data: []byte("line1\nline2")}
	if err := WriteChunk(&buf, a.Encode()); err != nil {
		t.Fatal(err)
	}
	if err := WriteChunk(&buf, b.Encode()); err != nil {
		t.Fatal(err)
	}
	if err := WriteLastChunk(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("1b;\r\nid: 0\n")) {
		t.Fatalf("first chunk header: %q", buf.String()[:12])
	}
	// Go's HTTP client de-chunks this framing (the ";" starts an empty extension).
	r := NewReader(httputil.NewChunkedReader(bufio.NewReader(&buf)))
	got1, err := r.Next()
	if err != nil || got1.ID != "0" || got1.Name != "a" || string(got1.Data) != "AAAA" {
		t.Fatalf("first event: %+v %v", got1, err)
	}
	got2, err := r.Next()
	if err != nil || got2.Name != "b" || string(got2.Data) != "line1\nline2" {
		t.Fatalf("second event: %+v %v", got2, err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("after the last chunk: %v, want EOF", err)
	}
}

func TestReaderReportsTruncatedEvent(t *testing.T) {
	r := NewReader(bytes.NewBufferString("id: 1\nevent: x\ndata: y\n"))
	if _, err := r.Next(); err != ErrIncomplete {
		t.Fatalf("got %v, want ErrIncomplete", err)
	}
}
