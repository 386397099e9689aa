package bbsdb

import (
	"encoding/json"
	"errors"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/db/bbsdb/encryption"
	"github.com/godiego/diego/proto/models"
)

// encodeModel seals m in an envelope and encrypts it.
func (s *SQLDB) encodeModel(m proto.Message) ([]byte, error) {
	env, err := encryption.MarshalEnvelope(m)
	if err != nil {
		return nil, models.NewInvalidRecordError(err)
	}
	blob, err := s.enc.Encode(env)
	if err != nil {
		return nil, models.NewInvalidRecordError(err)
	}
	return blob, nil
}

// decodeModel decrypts and opens an envelope into m.
func (s *SQLDB) decodeModel(blob []byte, m proto.Message) error {
	env, err := s.decrypt(blob)
	if err != nil {
		return err
	}
	if err := encryption.UnmarshalEnvelope(env, m); err != nil {
		return models.NewError(models.Error_FailedToOpenEnvelope, err.Error())
	}
	return nil
}

// decrypt returns the plaintext of a blob, or a Deserialize error that says
// why (an unknown key label names the label).
func (s *SQLDB) decrypt(blob []byte) ([]byte, error) {
	plain, err := s.enc.Decode(blob)
	if err != nil {
		return nil, models.NewError(models.Error_Deserialize, "could not deserialize record: "+err.Error())
	}
	return plain, nil
}

func (s *SQLDB) encodeJSON(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, models.ErrBadRequest
	}
	blob, err := s.enc.Encode(data)
	if err != nil {
		return nil, models.ErrBadRequest
	}
	return blob, nil
}

func (s *SQLDB) decodeJSON(blob []byte, v any) error {
	plain, err := s.decrypt(blob)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return models.NewError(models.Error_Deserialize, "could not deserialize record: "+err.Error())
	}
	return nil
}

// routesJSON is how upstream stores routes: an object from routing key to
// the route's raw JSON; nil routes are stored as null.
func routesJSON(r *models.ProtoRoutes) (any, error) {
	if r == nil {
		return nil, nil
	}
	m := make(map[string]json.RawMessage, len(r.GetRoutes()))
	for k, v := range r.GetRoutes() {
		if !json.Valid(v) {
			return nil, errors.New("route " + k + " is not valid JSON")
		}
		m[k] = json.RawMessage(v)
	}
	return m, nil
}

func (s *SQLDB) encodeRoutes(r *models.ProtoRoutes) ([]byte, error) {
	v, err := routesJSON(r)
	if err != nil {
		return nil, models.ErrBadRequest
	}
	return s.encodeJSON(v)
}

func (s *SQLDB) decodeRoutes(blob []byte) (*models.ProtoRoutes, error) {
	var m map[string]json.RawMessage
	if err := s.decodeJSON(blob, &m); err != nil {
		return nil, err
	}
	return protoRoutes(m), nil
}

func protoRoutes(m map[string]json.RawMessage) *models.ProtoRoutes {
	if m == nil {
		return nil
	}
	out := &models.ProtoRoutes{Routes: make(map[string][]byte, len(m))}
	for k, v := range m {
		out.Routes[k] = []byte(v)
	}
	return out
}

// internalRouteJSON is one element of the internal_routes column.
type internalRouteJSON struct {
	Hostname string `json:"hostname"`
}

func (s *SQLDB) encodeInternalRoutes(routes []*models.ActualLRPInternalRoute) ([]byte, error) {
	out := make([]internalRouteJSON, 0, len(routes))
	for _, r := range routes {
		out = append(out, internalRouteJSON{Hostname: r.GetHostname()})
	}
	return s.encodeJSON(out)
}

func (s *SQLDB) decodeInternalRoutes(blob []byte) ([]*models.ActualLRPInternalRoute, error) {
	routes := []*models.ActualLRPInternalRoute{}
	if len(blob) == 0 {
		return routes, nil
	}
	var in []internalRouteJSON
	if err := s.decodeJSON(blob, &in); err != nil {
		return nil, err
	}
	for _, r := range in {
		routes = append(routes, &models.ActualLRPInternalRoute{Hostname: r.Hostname})
	}
	return routes, nil
}

func (s *SQLDB) encodeMetricTags(tags map[string]string) ([]byte, error) {
	if tags == nil {
		tags = map[string]string{}
	}
	return s.encodeJSON(tags)
}

func (s *SQLDB) decodeMetricTags(blob []byte) (map[string]string, error) {
	tags := map[string]string{}
	if len(blob) == 0 {
		return tags, nil
	}
	if err := s.decodeJSON(blob, &tags); err != nil {
		return nil, err
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return tags, nil
}
