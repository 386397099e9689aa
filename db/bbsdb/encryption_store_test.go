package bbsdb

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/godiego/diego/proto/models"
)

// labelOf returns the key label inside a stored blob.
func labelOf(t *testing.T, blob []byte) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(string(bytes.TrimPrefix(blob, []byte("02"))))
	if err != nil || len(raw) == 0 {
		t.Fatalf("not a blob: %q", blob)
	}
	return string(raw[1 : 1+raw[0]])
}

func TestPerformEncryptionRotatesEveryColumn(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		_, err := h.EncryptionKeyLabel(h.ctx)
		wantErr(t, err, models.ErrResourceNotFound)
		must(t, h.SetEncryptionKeyLabel(h.ctx, "k1"))
		must(t, h.DesireLRP(h.ctx, desiredLRP("app", 1)))
		_, _, err = h.StartActualLRP(h.ctx, key("app", 0), ikey("ig", "c"), netInfo("1.1.1.1"), nil, nil, true, "")
		must(t, err)
		_, err = h.CreateUnclaimedActualLRP(h.ctx, key("app", 1))
		must(t, err)
		_, err = h.db.Exec(h.ctx, "UPDATE actual_lrps SET metric_tags = NULL WHERE instance_index = 1")
		must(t, err)
		_, err = h.DesireTask(h.ctx, taskDef(), "t", "domain")
		must(t, err)

		rotated := New(h.db, testEncoder(t, "k2", map[string]string{"k1": "passphrase-1", "k2": "passphrase-2"}), h.clock, &seqGUIDs{})
		must(t, rotated.PerformEncryption(h.ctx))
		must(t, rotated.SetEncryptionKeyLabel(h.ctx, "k2"))
		label, err := rotated.EncryptionKeyLabel(h.ctx)
		must(t, err)
		if label != "k2" {
			t.Fatalf("label %q", label)
		}
		for _, q := range []string{
			"SELECT run_info FROM desired_lrps", "SELECT volume_placement FROM desired_lrps", "SELECT routes FROM desired_lrps",
			"SELECT net_info FROM actual_lrps", "SELECT internal_routes FROM actual_lrps WHERE instance_index = 0",
			"SELECT metric_tags FROM actual_lrps WHERE instance_index = 0", "SELECT task_definition FROM tasks",
		} {
			rows, err := h.db.Query(h.ctx, q)
			must(t, err)
			for rows.Next() {
				var blob []byte
				must(t, rows.Scan(&blob))
				if got := labelOf(t, blob); got != "k2" {
					t.Errorf("%s: still encrypted with %q", q, got)
				}
			}
			rows.Close()
		}
		var empty []byte
		must(t, h.db.QueryRow(h.ctx, "SELECT metric_tags FROM actual_lrps WHERE instance_index = 1").Scan(&empty))
		if len(empty) != 0 {
			t.Errorf("an empty actual LRP column was filled: %q", empty)
		}

		// Only the new key configured: everything still reads.
		onlyNew := New(h.db, testEncoder(t, "k2", map[string]string{"k2": "passphrase-2"}), h.clock, &seqGUIDs{})
		d, err := onlyNew.DesiredLRPByProcessGuid(h.ctx, "app")
		must(t, err)
		if d.GetAction() == nil {
			t.Fatal("run info lost in rotation")
		}
		lrps, err := onlyNew.ActualLRPs(h.ctx, ActualLRPFilter{})
		must(t, err)
		if len(lrps) != 2 {
			t.Fatalf("actual LRPs after rotation: %d", len(lrps))
		}
	})
}

func TestUnknownKeyLabelIsAClearError(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		must(t, h.DesireLRP(h.ctx, desiredLRP("app", 1)))
		_, err := h.DesireTask(h.ctx, taskDef(), "t", "domain")
		must(t, err)
		stranger := New(h.db, testEncoder(t, "other", map[string]string{"other": "x"}), h.clock, &seqGUIDs{})
		_, err = stranger.DesiredLRPByProcessGuid(h.ctx, "app")
		wantErr(t, err, models.ErrDeserialize)
		if !strings.Contains(err.Error(), `"k1"`) {
			t.Fatalf("error does not name the label: %v", err)
		}
		_, err = stranger.TaskByGuid(h.ctx, "t")
		wantErr(t, err, models.ErrDeserialize)
		// Listing drops (and, as upstream, deletes) records it cannot read.
		tasks, err := stranger.Tasks(h.ctx, TaskFilter{})
		must(t, err)
		if len(tasks) != 0 {
			t.Fatalf("unreadable tasks listed: %v", tasks)
		}
	})
}
