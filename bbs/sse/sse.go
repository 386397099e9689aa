// Package sse owns the BBS's server-sent-event framing: the event text
// ("id: n\nevent: name\ndata: base64\n\n"), the hand-written HTTP/1.1 chunk
// around each event ("%x;\r\n" size line, as upstream writes it) and a
// reader that parses an event stream back into events.
package sse

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"
)

// Event is one server-sent event.
type Event struct {
	ID   string
	Name string
	Data []byte
}

// Encode returns the event as text/event-stream bytes.
func (e Event) Encode() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "id: %s\n", e.ID)
	fmt.Fprintf(&b, "event: %s\n", e.Name)
	for _, line := range bytes.Split(e.Data, []byte("\n")) {
		fmt.Fprintf(&b, "data: %s\n", line)
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// NewEvent builds the event for a protobuf message: its data is the
// standard base64 of the marshalled message.
func NewEvent(id int, name string, msg proto.Message) (Event, error) {
	raw, err := proto.Marshal(msg)
	if err != nil {
		return Event{}, fmt.Errorf("marshalling %s event: %w", name, err)
	}
	return Event{ID: strconv.Itoa(id), Name: name, Data: []byte(base64.StdEncoding.EncodeToString(raw))}, nil
}

// WriteChunk writes payload as one HTTP/1.1 chunk with upstream's size
// line ("%x;\r\n").
func WriteChunk(w io.Writer, payload []byte) error {
	if _, err := fmt.Fprintf(w, "%x;\r\n", len(payload)); err != nil {
		return err
	}
	if _, err := w.Write(payload); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\r\n")
	return err
}

// WriteLastChunk ends a chunked body.
func WriteLastChunk(w io.Writer) error {
	_, err := io.WriteString(w, "0\r\n\r\n")
	return err
}

// Reader parses a text/event-stream body (already de-chunked).
type Reader struct {
	r *bufio.Reader
}

// NewReader reads events from r.
func NewReader(r io.Reader) *Reader { return &Reader{r: bufio.NewReader(r)} }

// ErrIncomplete is returned when the stream ends in the middle of an event.
var ErrIncomplete = errors.New("sse: stream ended inside an event")

// Next returns the next complete event. It returns io.EOF when the stream
// ends cleanly between events.
func (r *Reader) Next() (Event, error) {
	var ev Event
	var data [][]byte
	started := false
	for {
		line, err := r.r.ReadString('\n')
		if err != nil {
			if errors.Is(err, io.EOF) && !started && line == "" {
				return Event{}, io.EOF
			}
			if errors.Is(err, io.EOF) {
				return Event{}, ErrIncomplete
			}
			return Event{}, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if !started {
				continue
			}
			ev.Data = bytes.Join(data, []byte("\n"))
			return ev, nil
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		started = true
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			ev.ID = value
		case "event":
			ev.Name = value
		case "data":
			data = append(data, []byte(value))
		}
	}
}
