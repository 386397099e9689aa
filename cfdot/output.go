package cfdot

import (
	"bytes"
	"encoding/json"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/proto/modeljson"
)

// emit prints one model: a JSON line as upstream's encoder writes it, or a
// table row collected until the command ends.
func (c *Context) emit(m proto.Message) error {
	if c.table {
		c.rows.add(m)
		return nil
	}
	b, err := modeljson.Marshal(m)
	if err != nil {
		return err
	}
	return c.line(b)
}

// emitValue prints a plain Go value (domains, cell states) as
// encoding/json's Encoder does.
func (c *Context) emitValue(v any) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return err
	}
	_, err := c.io.Stdout.Write(buf.Bytes())
	return err
}

// emitEvent prints {"type":NAME,"data":EVENT}, upstream's event line.
func (c *Context) emitEvent(name string, m proto.Message) error {
	data, err := modeljson.Marshal(m)
	if err != nil {
		return err
	}
	t, _ := json.Marshal(name)
	var buf bytes.Buffer
	buf.WriteString(`{"type":`)
	buf.Write(t)
	buf.WriteString(`,"data":`)
	buf.Write(data)
	buf.WriteString("}")
	return c.line(buf.Bytes())
}

func (c *Context) line(b []byte) error {
	_, err := c.io.Stdout.Write(append(b, '\n'))
	return err
}
