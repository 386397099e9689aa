package authenticators

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"golang.org/x/crypto/ssh"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/proto/models"
	"github.com/godiego/diego/ssh-proxy/proxy"
	"github.com/godiego/diego/ssh-proxy/routes"
)

// PermissionsBuilder turns an authorized (process guid, index) into the
// permissions that tell the proxy where to connect.
type PermissionsBuilder interface {
	Build(logger lager.Logger, processGUID string, index int, metadata ssh.ConnMetadata) (*ssh.Permissions, error)
}

// LRPSource is the part of the BBS the builder reads (*bbsclient.Client).
type LRPSource interface {
	ActualLRPs(ctx context.Context, f bbsclient.ActualLRPFilter) ([]*models.ActualLRP, error)
	DesiredLRPByProcessGuid(ctx context.Context, processGUID string) (*models.DesiredLRP, error)
}

// BBSPermissions builds permissions from the BBS's view of the instance.
type BBSPermissions struct {
	bbs LRPSource
	// useInstanceAddress is connect_to_instance_address: for instances that
	// state no preferred address, connect to the container's own address.
	useInstanceAddress bool
	timeout            time.Duration
}

// NewBBSPermissions returns the builder. timeout bounds the BBS lookups
// (zero: the BBS client's own timeout).
func NewBBSPermissions(bbs LRPSource, connectToInstanceAddress bool, timeout time.Duration) *BBSPermissions {
	return &BBSPermissions{bbs: bbs, useInstanceAddress: connectToInstanceAddress, timeout: timeout}
}

// Build looks up the single actual LRP at (processGUID, index) and its
// desired LRP's diego-ssh route.
func (b *BBSPermissions) Build(logger lager.Logger, processGUID string, index int, metadata ssh.ConnMetadata) (*ssh.Permissions, error) {
	ctx := context.Background()
	if b.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, b.timeout)
		defer cancel()
	}
	idx := int32(index)
	actuals, err := b.bbs.ActualLRPs(ctx, bbsclient.ActualLRPFilter{ProcessGUID: processGUID, Index: &idx})
	if err != nil {
		return nil, err
	}
	switch {
	case len(actuals) > 1:
		return nil, fmt.Errorf("multiple matching ActualLRP for ProcessGuid: %s, Index: %d", processGUID, idx)
	case len(actuals) == 0:
		return nil, fmt.Errorf("no matching ActualLRP for ProcessGuid: %s, Index: %d", processGUID, idx)
	}
	desired, err := b.bbs.DesiredLRPByProcessGuid(ctx, processGUID)
	if err != nil {
		return nil, err
	}
	route, err := routes.FromRoutes(desired.GetRoutes().GetRoutes())
	if errors.Is(err, routes.ErrNotFound) {
		return nil, ErrRouteNotFound
	}
	if err != nil {
		return nil, err
	}
	message := fmt.Sprintf("Successful remote access by %s", metadata.RemoteAddr())
	return CreatePermissions(route, actuals[0], desired, message, b.useInstanceAddress)
}

// CreatePermissions is the pure core of Build. An instance with no port
// mapping for the route's container port yields empty permissions, which
// the proxy then refuses (as upstream).
func CreatePermissions(route routes.SSHRoute, actual *models.ActualLRP, desired *models.DesiredLRP,
	logMessage string, connectToInstanceAddress bool) (*ssh.Permissions, error) {
	target, ok := Target(route, actual, connectToInstanceAddress)
	if !ok {
		return &ssh.Permissions{}, nil
	}
	return proxy.Permissions(target, proxy.LogMessage{Message: logMessage, Tags: LogTags(desired, actual)})
}

// Target picks the backend address for the route's container port: the
// cell's address and host port, or the container's address and port when
// the instance prefers it (or states no preference and
// connectToInstanceAddress is set). The TLS address is the matching TLS
// proxy port, if the cell has one.
func Target(route routes.SSHRoute, actual *models.ActualLRP, connectToInstanceAddress bool) (proxy.TargetConfig, bool) {
	net := actual.GetActualLrpNetInfo()
	for _, m := range net.GetPorts() {
		if m.GetContainerPort() != uint32(route.ContainerPort) {
			continue
		}
		useInstance := connectToInstanceAddress
		switch net.GetPreferredAddress() {
		case models.ActualLRPNetInfo_INSTANCE:
			useInstance = true
		case models.ActualLRPNetInfo_HOST:
			useInstance = false
		}
		address := hostPort(net.GetAddress(), m.GetHostPort())
		if useInstance {
			address = hostPort(net.GetInstanceAddress(), m.GetContainerPort())
		}
		tlsAddress := ""
		if m.GetHostTlsProxyPort() > 0 {
			tlsAddress = hostPort(net.GetAddress(), m.GetHostTlsProxyPort())
		}
		if useInstance && m.GetContainerTlsProxyPort() > 0 {
			tlsAddress = hostPort(net.GetInstanceAddress(), m.GetContainerTlsProxyPort())
		}
		return proxy.TargetConfig{
			Address:             address,
			TLSAddress:          tlsAddress,
			ServerCertDomainSAN: actual.GetActualLrpInstanceKey().GetInstanceGuid(),
			HostFingerprint:     route.HostFingerprint,
			User:                route.User,
			Password:            route.Password,
			PrivateKey:          route.PrivateKey,
		}, true
	}
	return proxy.TargetConfig{}, false
}

// hostPort joins as upstream does ("%s:%d"), so IPv6 addresses stay bare.
func hostPort(host string, port uint32) string { return fmt.Sprintf("%s:%d", host, port) }

// LogTags resolves the desired LRP's metric tags for this instance, with
// source_id defaulting to the log guid and instance_id to the index.
func LogTags(desired *models.DesiredLRP, actual *models.ActualLRP) map[string]string {
	defs := map[string]*models.MetricTagValue{}
	for k, v := range desired.GetMetricTags() {
		defs[k] = v
	}
	if _, ok := defs["source_id"]; !ok {
		defs["source_id"] = &models.MetricTagValue{Static: desired.GetLogGuid()}
	}
	if _, ok := defs["instance_id"]; !ok {
		defs["instance_id"] = &models.MetricTagValue{Dynamic: models.MetricTagValue_INDEX}
	}
	tags := make(map[string]string, len(defs))
	for k, v := range defs {
		switch v.GetDynamic() {
		case models.MetricTagValue_INDEX:
			tags[k] = strconv.Itoa(int(actual.GetActualLrpKey().GetIndex()))
		case models.MetricTagValue_INSTANCE_GUID:
			tags[k] = actual.GetActualLrpInstanceKey().GetInstanceGuid()
		case 0:
			tags[k] = v.GetStatic()
		}
		// An unknown dynamic value yields no tag, as upstream.
	}
	return tags
}
