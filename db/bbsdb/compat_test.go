package bbsdb

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/proto/models"
)

// upstreamBlob encrypts plaintext the way upstream's format.Encoder does,
// computed here from the written format only.
func upstreamBlob(t *testing.T, label, passphrase string, plaintext []byte) []byte {
	t.Helper()
	sum := sha256.Sum256([]byte(passphrase))
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	nonce := []byte("upstreamnonc")
	var raw bytes.Buffer
	raw.WriteByte(byte(len(label)))
	raw.WriteString(label)
	raw.Write(nonce)
	raw.Write(gcm.Seal(nil, nonce, plaintext, nil))
	return []byte("02" + base64.StdEncoding.EncodeToString(raw.Bytes()))
}

func upstreamEnvelope(t *testing.T, m proto.Message) []byte {
	t.Helper()
	body, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{2, 0}, body...)
}

// TestReadsRowsWrittenByUpstream inserts rows as an upstream BBS writes
// them (column by column, blobs from the reference computation) and reads
// them through the store.
func TestReadsRowsWrittenByUpstream(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		blob := func(p []byte) []byte { return upstreamBlob(t, "k1", "passphrase-1", p) }
		net := &models.ActualLRPNetInfo{Address: "10.0.0.9", InstanceAddress: "10.255.9.9", Ports: []*models.PortMapping{{ContainerPort: 8080, HostPort: 61001}}}
		_, err := h.db.Exec(h.ctx, `INSERT INTO actual_lrps (process_guid, instance_index, presence, domain, state, instance_guid, cell_id,
	placement_error, since, net_info, internal_routes, metric_tags, routable, availability_zone, modification_tag_epoch,
	modification_tag_index, crash_count, crash_reason) VALUES ('up', 0, 0, 'cf-apps', 'RUNNING', 'ig', 'cell', '', 42, ?, ?, ?, true, 'z9', 'e', 3, 1, 'x')`,
			blob(upstreamEnvelope(t, net)), blob([]byte(`[{"hostname":"up.apps.internal"}]`)), blob([]byte(`{"source_id":"up"}`)))
		must(t, err)
		lrps, err := h.ActualLRPs(h.ctx, ActualLRPFilter{ProcessGUID: "up"})
		must(t, err)
		if len(lrps) != 1 {
			t.Fatalf("rows %v", lrps)
		}
		got := lrps[0]
		if !proto.Equal(got.GetActualLrpNetInfo(), net) || got.GetActualLrpInternalRoutes()[0].GetHostname() != "up.apps.internal" ||
			got.GetMetricTags()["source_id"] != "up" || !got.GetRoutable() || got.GetAvailabilityZone() != "z9" ||
			got.GetModificationTag().GetIndex() != 3 || got.GetCrashCount() != 1 {
			t.Fatalf("upstream actual LRP read as %v", got)
		}

		run := &models.DesiredLRPRunInfo{DesiredLrpKey: &models.DesiredLRPKey{ProcessGuid: "up", Domain: "cf-apps", LogGuid: "lg"},
			Action: models.WrapAction(&models.RunAction{Path: "/bin/sh", User: "vcap"}), Ports: []uint32{8080}, CreatedAt: 7}
		_, err = h.db.Exec(h.ctx, `INSERT INTO desired_lrps (process_guid, domain, log_guid, annotation, instances, memory_mb, disk_mb,
	max_pids, rootfs, routes, volume_placement, modification_tag_epoch, modification_tag_index, run_info, placement_tags)
	VALUES ('up', 'cf-apps', 'lg', 'ann', 2, 64, 128, 0, 'preloaded:cflinuxfs4', ?, ?, 'e', 0, ?, NULL)`,
			blob([]byte(`{"cf-router":[{"hostnames":["up.example.com"],"port":8080}]}`)),
			blob(upstreamEnvelope(t, &models.VolumePlacement{})), blob(upstreamEnvelope(t, run)))
		must(t, err)
		d, err := h.DesiredLRPByProcessGuid(h.ctx, "up")
		must(t, err)
		if d.GetInstances() != 2 || string(d.GetRoutes().GetRoutes()["cf-router"]) != `[{"hostnames":["up.example.com"],"port":8080}]` ||
			d.GetAction().GetRunAction().GetPath() != "/bin/sh" || d.GetPlacementTags() != nil {
			t.Fatalf("upstream desired LRP read as %v", d)
		}
	})
}

// TestConcurrentClaimsHaveOneWinner checks the row lock of every backend.
func TestConcurrentClaimsHaveOneWinner(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		_, err := h.CreateUnclaimedActualLRP(h.ctx, key("race", 0))
		must(t, err)
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, errs[i] = h.ClaimActualLRP(h.ctx, "race", 0, ikey("ig", string(rune('a'+i))))
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case models.ErrActualLRPCannotBeClaimed.Equal(err), models.ErrDeadlock.Equal(err):
			default:
				t.Errorf("unexpected error %v", err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d claims won", wins)
		}
	})
}
