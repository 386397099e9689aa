package handlers

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"code.cloudfoundry.org/lager/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/bbs/controllers"
	"github.com/godiego/diego/proto/models"
)

// emptyRequest stands for "no request message".
type emptyRequest = emptypb.Empty

func newEmpty() *emptyRequest { return &emptyRequest{} }

// validator is implemented by request messages that check their fields.
type validator interface{ Validate() error }

// parseRequest decodes and validates a request body with upstream's error
// mapping: an unreadable body is UnknownError, an undecodable one
// ErrBadRequest, an invalid one InvalidRequest with the validation text.
func parseRequest(logger lager.Logger, r *http.Request, req proto.Message) *models.Error {
	if _, ok := req.(*emptyRequest); ok {
		return nil // routes without a request message ignore the body
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		logger.Error("failed-to-read-body", err)
		return models.ErrUnknownError
	}
	if err := proto.Unmarshal(data, req); err != nil {
		logger.Error("failed-to-parse-request-body", err)
		return models.ErrBadRequest
	}
	if v, ok := req.(validator); ok {
		if err := v.Validate(); err != nil {
			logger.Error("invalid-request", err)
			return models.NewError(models.Error_InvalidRequest, err.Error())
		}
	}
	return nil
}

// writeResponse writes a protobuf response with HTTP 200.
func writeResponse(w http.ResponseWriter, msg proto.Message) {
	body, err := proto.Marshal(msg)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Content-Type", bbs.ProtobufContentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// setError stores e in the response's `error` field (field 1 of every
// BBS response but PingResponse).
func setError(resp proto.Message, e *models.Error) {
	if e == nil {
		return
	}
	m := resp.ProtoReflect()
	fd := m.Descriptor().Fields().ByName("error")
	if fd == nil {
		return
	}
	m.Set(fd, protoreflect.ValueOfMessage(e.ProtoReflect()))
}

// rpc builds an HTTP handler for one protobuf route: decode and validate
// Req, call fn, put its error in Resp, write Resp. An Unrecoverable error
// asks the process to exit.
func rpc[Req, Resp proto.Message](h *Handler, newReq func() Req, newResp func() Resp, fn func(ctx context.Context, req Req, resp Resp) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		logger := controllers.Logger(ctx, h.logger)
		resp := newResp()
		req := newReq()
		if e := parseRequest(logger, r, req); e != nil {
			setError(resp, e)
			h.countError(ctx)
			writeResponse(w, resp)
			return
		}
		h.answer(ctx, w, resp, fn(ctx, req, resp))
	}
}

// answer writes resp with err (if any) in its error field; an
// Unrecoverable error asks the process to exit.
func (h *Handler) answer(ctx context.Context, w http.ResponseWriter, resp proto.Message, err error) {
	if err != nil {
		e := models.ConvertError(err)
		setError(resp, e)
		h.countError(ctx)
		h.exitIfUnrecoverable(controllers.Logger(ctx, h.logger), e)
	}
	writeResponse(w, resp)
}
