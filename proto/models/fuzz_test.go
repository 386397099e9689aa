package models

import (
	"testing"

	"google.golang.org/protobuf/proto"
)

// Each request the BBS decodes gets a fuzz target: decoding arbitrary bytes
// and validating the result must never panic.

type validatingMessage interface {
	proto.Message
	Validator
}

func fuzzDecodeValidate[T validatingMessage](f *testing.F, seeds ...T) {
	f.Helper()
	f.Add([]byte{})
	for _, s := range seeds {
		b, err := proto.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var zero T
		msg := zero.ProtoReflect().New().Interface().(T)
		if proto.Unmarshal(data, msg) != nil {
			return
		}
		_ = msg.Validate()
	})
}

func FuzzDesireLRPRequest(f *testing.F) {
	full := validDesiredLRP()
	full.Setup = WrapAction(Serial(Try(Timeout(&RunAction{}, 1)), Parallel(&DownloadAction{}), Codependent(EmitProgressFor(&UploadAction{}, "", "", ""))))
	full.EgressRules = []*SecurityGroupRule{{Protocol: "tcp", Destinations: []string{"1.1.1.1-1.1.1.2"}, PortRange: &PortRange{}}}
	full.ImageLayers = []*ImageLayer{{LayerType: ImageLayer_EXCLUSIVE}}
	full.CheckDefinition = &CheckDefinition{Checks: []*Check{{}}}
	full.Sidecars = []*Sidecar{{}}
	full.VolumeMounts = []*VolumeMount{{Shared: &SharedDevice{}}}
	fuzzDecodeValidate(f, &DesireLRPRequest{DesiredLrp: full})
}

func FuzzUpdateDesiredLRPRequest(f *testing.F) {
	u := &DesiredLRPUpdate{MetricTags: map[string]*MetricTagValue{"a": {}}}
	u.SetInstances(-1)
	fuzzDecodeValidate(f, &UpdateDesiredLRPRequest{ProcessGuid: "p", Update: u})
}

func FuzzRemoveDesiredLRPRequest(f *testing.F) {
	fuzzDecodeValidate(f, &RemoveDesiredLRPRequest{ProcessGuid: "p"})
}

func FuzzDesiredLRPsRequests(f *testing.F) {
	fuzzDecodeValidate(f, &DesiredLRPByProcessGuidRequest{ProcessGuid: "p"})
}

func FuzzDesireTaskRequest(f *testing.F) {
	fuzzDecodeValidate(f, &DesireTaskRequest{TaskGuid: "t", Domain: "d", TaskDefinition: validTaskDefinition()})
}

func FuzzStartTaskRequest(f *testing.F) {
	fuzzDecodeValidate(f, &StartTaskRequest{TaskGuid: "t", CellId: "c"})
}

func FuzzCompleteTaskRequest(f *testing.F) {
	fuzzDecodeValidate(f, &CompleteTaskRequest{TaskGuid: "t", CellId: "c", Failed: true})
}

func FuzzFailTaskRequest(f *testing.F) {
	fuzzDecodeValidate(f, &FailTaskRequest{TaskGuid: "t", FailureReason: "r"})
}

func FuzzRejectTaskRequest(f *testing.F) {
	fuzzDecodeValidate(f, &RejectTaskRequest{TaskGuid: "t", RejectionReason: "r"})
}

func FuzzTaskGuidRequest(f *testing.F) {
	fuzzDecodeValidate(f, &TaskGuidRequest{TaskGuid: "t"})
}

func FuzzTaskByGuidRequest(f *testing.F) {
	fuzzDecodeValidate(f, &TaskByGuidRequest{TaskGuid: "t"})
}

func FuzzClaimActualLRPRequest(f *testing.F) {
	fuzzDecodeValidate(f, &ClaimActualLRPRequest{ProcessGuid: "p", ActualLrpInstanceKey: validInstanceKey()})
}

func FuzzStartActualLRPRequest(f *testing.F) {
	r := &StartActualLRPRequest{ActualLrpKey: validLRPKey(), ActualLrpInstanceKey: validInstanceKey(),
		ActualLrpNetInfo: &ActualLRPNetInfo{Address: "a", Ports: []*PortMapping{{}}}, MetricTags: map[string]string{"a": "b"}}
	r.OptionalRoutable = &StartActualLRPRequest_Routable{Routable: true}
	fuzzDecodeValidate(f, r)
}

func FuzzCrashActualLRPRequest(f *testing.F) {
	fuzzDecodeValidate(f, &CrashActualLRPRequest{ActualLrpKey: validLRPKey(), ActualLrpInstanceKey: validInstanceKey()})
}

func FuzzFailActualLRPRequest(f *testing.F) {
	fuzzDecodeValidate(f, &FailActualLRPRequest{ActualLrpKey: validLRPKey(), ErrorMessage: "e"})
}

func FuzzRetireActualLRPRequest(f *testing.F) {
	fuzzDecodeValidate(f, &RetireActualLRPRequest{ActualLrpKey: validLRPKey()})
}

func FuzzRemoveActualLRPRequest(f *testing.F) {
	fuzzDecodeValidate(f, &RemoveActualLRPRequest{ProcessGuid: "p", ActualLrpInstanceKey: validInstanceKey()})
}

func FuzzActualLRPsRequest(f *testing.F) {
	fuzzDecodeValidate(f, &ActualLRPsRequest{Domain: "d", OptionalIndex: &ActualLRPsRequest_Index{Index: 1}})
}

func FuzzActualLRPGroupRequests(f *testing.F) {
	fuzzDecodeValidate(f, &ActualLRPGroupByProcessGuidAndIndexRequest{ProcessGuid: "p", Index: 1})
}

func FuzzEvacuateRunningActualLRPRequest(f *testing.F) {
	fuzzDecodeValidate(f, &EvacuateRunningActualLRPRequest{ActualLrpKey: validLRPKey(), ActualLrpInstanceKey: validInstanceKey(),
		ActualLrpNetInfo: &ActualLRPNetInfo{Address: "a"}})
}

func FuzzEvacuateCrashedActualLRPRequest(f *testing.F) {
	fuzzDecodeValidate(f, &EvacuateCrashedActualLRPRequest{ActualLrpKey: validLRPKey(), ActualLrpInstanceKey: validInstanceKey(), ErrorMessage: "e"})
}

func FuzzEvacuateClaimedActualLRPRequest(f *testing.F) {
	fuzzDecodeValidate(f, &EvacuateClaimedActualLRPRequest{ActualLrpKey: validLRPKey(), ActualLrpInstanceKey: validInstanceKey()})
}

func FuzzEvacuateStoppedActualLRPRequest(f *testing.F) {
	fuzzDecodeValidate(f, &EvacuateStoppedActualLRPRequest{ActualLrpKey: validLRPKey(), ActualLrpInstanceKey: validInstanceKey()})
}

func FuzzRemoveEvacuatingActualLRPRequest(f *testing.F) {
	fuzzDecodeValidate(f, &RemoveEvacuatingActualLRPRequest{ActualLrpKey: validLRPKey(), ActualLrpInstanceKey: validInstanceKey()})
}

func FuzzUpsertDomainRequest(f *testing.F) {
	fuzzDecodeValidate(f, &UpsertDomainRequest{Domain: "d", Ttl: 10})
}

func FuzzCellPresence(f *testing.F) {
	fuzzDecodeValidate(f, NewCellPresence("c", "http://a", "", "z", nil, []string{"docker"}, []string{"cflinuxfs4"}, nil, nil))
}

func FuzzEventsByCellId(f *testing.F) {
	fuzzDecodeValidate(f, &EventsByCellId{CellId: "c"})
}
