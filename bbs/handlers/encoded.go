package handlers

import (
	"context"
	"net/http"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/bbs/controllers"
	"github.com/godiego/diego/db/bbsdb"
)

// encodedReads is implemented by a store that can put already-encoded
// records straight into a response (bbsdb.Indexed): the bulk reads then
// skip decoding and re-encoding every record. ok is false when the store
// cannot serve the read that way right now.
type encodedReads interface {
	EncodedActualLRPs(dst []byte, field protowire.Number, filter bbsdb.ActualLRPFilter) ([]byte, bool)
	EncodedSchedulingInfos(dst []byte, field protowire.Number, filter bbsdb.DesiredLRPFilter) ([]byte, bool)
	EncodedRoutingInfos(dst []byte, field protowire.Number, filter bbsdb.DesiredLRPFilter) ([]byte, bool)
}

// listField is the field number of the record list in every list response.
const listField protowire.Number = 2

// rpcEncoded is rpc with a fast path: when the store implements
// encodedReads and fast answers ok, its bytes are the response body (the
// list field alone; no error). Otherwise fn runs as in rpc.
func rpcEncoded[Req, Resp proto.Message](h *Handler, newReq func() Req, newResp func() Resp,
	fast func(r encodedReads, req Req) ([]byte, bool), fn func(ctx context.Context, req Req, resp Resp) error) http.HandlerFunc {
	slow := rpc(h, newReq, newResp, fn)
	enc, ok := h.store.(encodedReads)
	if !ok {
		return slow
	}
	return func(w http.ResponseWriter, r *http.Request) {
		req := newReq()
		if e := parseRequest(controllers.Logger(r.Context(), h.logger), r, req); e != nil {
			resp := newResp()
			setError(resp, e)
			h.countError(r.Context())
			writeResponse(w, resp)
			return
		}
		body, ok := fast(enc, req)
		if !ok {
			resp := newResp()
			h.answer(r.Context(), w, resp, fn(r.Context(), req, resp))
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Header().Set("Content-Type", bbs.ProtobufContentType)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	}
}
