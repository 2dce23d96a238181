// Writes the golden wire fixtures under Tests/CoreTests/Fixtures/Wire with the same Go packages
// and calls the platform uses (archive/tar, compress/gzip at BestSpeed, gopkg.in/yaml.v3,
// encoding/json on time.Time), so they pin the format independently of gwops's simulator.
// The structs mirror the shapes WIRE.md describes; no platform code is copied.
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run scripts/wire-fixtures/main.go Tests/CoreTests/Fixtures/Wire
//
// (Debian: golang-go, golang-gopkg-yaml.v3-dev.) Output is deterministic except the tar mtime.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"
)

type metadata struct {
	Name   string            `yaml:"name"`
	Labels map[string]string `yaml:"labels,omitempty"`
}

type target struct {
	URL string `yaml:"url,omitempty"`
}

type upstream struct {
	Main    *target `yaml:"main,omitempty"`
	Sandbox *target `yaml:"sandbox,omitempty"`
}

type policy struct {
	Name    string                 `yaml:"name"`
	Version string                 `yaml:"version"`
	Params  map[string]interface{} `yaml:"params,omitempty"`
}

type operation struct {
	Method   string   `yaml:"method"`
	Path     string   `yaml:"path"`
	Policies []policy `yaml:"policies,omitempty"`
}

type channel struct {
	Name string `yaml:"name"`
	Path string `yaml:"path"`
}

type apiSpec struct {
	DisplayName string            `yaml:"displayName"`
	Version     string            `yaml:"version"`
	Context     string            `yaml:"context"`
	Vhosts      map[string]string `yaml:"vhosts,omitempty"`
	Upstream    *upstream         `yaml:"upstream,omitempty"`
	Operations  []operation       `yaml:"operations,omitempty"`
	Channels    []channel         `yaml:"channels,omitempty"`
}

type providerSpec struct {
	DisplayName string   `yaml:"displayName"`
	Version     string   `yaml:"version"`
	Template    string   `yaml:"template"`
	Upstream    target   `yaml:"upstream"`
	Policies    []policy `yaml:"policies,omitempty"`
}

type document struct {
	ApiVersion string      `yaml:"apiVersion"`
	Kind       string      `yaml:"kind"`
	Metadata   metadata    `yaml:"metadata"`
	Spec       interface{} `yaml:"spec"`
}

type deployment struct {
	ArtifactID   string    `json:"artifactId"`
	DeploymentID string    `json:"deploymentId"`
	Kind         string    `json:"kind"`
	State        string    `json:"state"`
	DeployedAt   time.Time `json:"deployedAt"`
	Etag         string    `json:"etag"`
}

type apiKeyItem struct {
	ETag          string            `json:"etag"`
	UUID          string            `json:"uuid"`
	Name          string            `json:"name"`
	MaskedAPIKey  string            `json:"maskedApiKey"`
	APIKeyHashes  map[string]string `json:"apiKeyHashes"`
	ArtifactUUID  string            `json:"artifactUuid"`
	Status        string            `json:"status"`
	CreatedAt     time.Time         `json:"createdAt"`
	CreatedBy     string            `json:"createdBy"`
	UpdatedAt     time.Time         `json:"updatedAt"`
	ExpiresAt     *time.Time        `json:"expiresAt"`
	Source        string            `json:"source"`
	ExternalRefId *string           `json:"externalRefId"`
	Issuer        *string           `json:"issuer,omitempty"`
}

type subscriptionItem struct {
	ID                 string    `json:"id"`
	APIID              string    `json:"apiId"`
	ApplicationID      *string   `json:"applicationId,omitempty"`
	SubscriptionToken  string    `json:"subscriptionToken"`
	SubscriptionPlanID *string   `json:"subscriptionPlanId,omitempty"`
	Status             string    `json:"status"`
	CreatedAt          time.Time `json:"createdAt"`
	UpdatedAt          time.Time `json:"updatedAt"`
	Etag               string    `json:"etag"`
}

const (
	restID     = "01972fa7-9000-72fd-bc07-2182654f163f"
	providerID = "01972fa7-9100-7aaa-8bbb-0000000000a1"
	webSubID   = "01972fa7-9200-7ccc-9ddd-0000000000b2"
	restDep    = "0197a001-0000-7000-8000-000000000001"
	providerDep = "0197a001-0000-7000-8000-000000000002"
	webSubDep  = "0197a001-0000-7000-8000-000000000003"
)

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func main() {
	out := os.Args[1]
	at := func(s string) time.Time { t, err := time.Parse(time.RFC3339Nano, s); must(err); return t }
	docs := map[string]document{
		restDep + "/api-" + restID + ".yaml": {ApiVersion: "gateway.api-platform.wso2.com/v1", Kind: "RestApi",
			Metadata: metadata{Name: "petstore-api-7", Labels: map[string]string{"project-id": "01972fa7-9000-72fd-bc07-2182654f163f"}},
			Spec: apiSpec{DisplayName: "Petstore API 7", Version: "1.0", Context: "/petstore-api-7",
				Vhosts:   map[string]string{"main": "_gateway_default_"},
				Upstream: &upstream{Main: &target{URL: "https://backend-3.internal.example:8443/petstore-api-7"}},
				Operations: []operation{{Method: "PUT", Path: "/items", Policies: []policy{{Name: "set-headers", Version: "v1",
					Params: map[string]interface{}{"value": `{{ secret "x" }}`}}}}, {Method: "GET", Path: "/items/{id}"}}}},
		providerDep + "/llm-provider-" + providerID + ".yaml": {ApiVersion: "gateway.api-platform.wso2.com/v1", Kind: "LlmProvider",
			Metadata: metadata{Name: "openai-prod"},
			Spec: providerSpec{DisplayName: "OpenAI: production", Version: "v2", Template: "openai",
				Upstream: target{URL: "https://api.openai.example/v1"},
				Policies: []policy{{Name: "token-budget", Version: "v1", Params: map[string]interface{}{"tokensPerMinute": 50000, "enabled": true}}}}},
		webSubDep + "/api-" + webSubID + ".yaml": {ApiVersion: "gateway.api-platform.wso2.com/v1", Kind: "WebSubApi",
			Metadata: metadata{Name: "orders-events"},
			Spec: apiSpec{DisplayName: "Orders events", Version: "v1", Context: "/events/orders",
				Channels: []channel{{Name: "orders.created", Path: "/orders/created"}}}},
	}

	// The fetch-batch archive, as the platform's batch builder writes it.
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	must(err)
	tw := tar.NewWriter(gz)
	for name, doc := range docs { // map order: random, as on the platform
		content, err := yaml.Marshal(doc)
		must(err)
		must(os.WriteFile(filepath.Join(out, filepath.Base(name)), content, 0o644))
		must(tw.WriteHeader(&tar.Header{Name: name, Mode: 0644, Size: int64(len(content)), ModTime: time.Now()}))
		_, err = tw.Write(content)
		must(err)
	}
	must(tw.Close())
	must(gz.Close())
	must(os.WriteFile(filepath.Join(out, "batch.tar.gz"), buf.Bytes(), 0o644))

	writeJSON := func(name string, v interface{}) {
		data, err := json.Marshal(v)
		must(err)
		must(os.WriteFile(filepath.Join(out, name), data, 0o644))
	}
	ist, err := time.LoadLocation("Asia/Colombo")
	must(err)
	writeJSON("deployments.json", map[string][]deployment{"deployments": {
		{restID, restDep, "RestApi", "DEPLOYED", at("2026-11-30T09:15:00Z"), "019ad3f3-1c20-7a51-8c1e-0b5c2c8e7e01"},
		{providerID, providerDep, "LlmProvider", "DEPLOYED", at("2026-11-30T09:15:00.1Z"), "019ad3f3-1c84-7b62-9d2f-1c6d3d9f8f02"},
		{webSubID, webSubDep, "WebSubApi", "UNDEPLOYED", at("2026-11-30T09:15:00.123Z").In(ist), "019ad3f3-1c9b-7c73-ae3a-2d7e4eaa9a03"},
	}})
	masked := "***x7Qz"
	issuer := "portal-a"
	writeJSON("api-keys.json", []apiKeyItem{{ETag: "019ad3f3-0000-7000-8000-00000000e7a9", UUID: "0197b000-0000-7000-8000-0000000000k1",
		Name: "mobile-app", MaskedAPIKey: masked, APIKeyHashes: map[string]string{"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
		ArtifactUUID: restID, Status: "active", CreatedAt: at("2026-11-01T08:00:00Z"), CreatedBy: "alice",
		UpdatedAt: at("2026-11-02T08:00:00.25Z"), Source: "external", Issuer: &issuer}})
	app := "0197c000-0000-7000-8000-0000000000a9"
	plan := "0197d000-0000-7000-8000-0000000000p1"
	writeJSON("subscriptions.json", []subscriptionItem{{ID: "0197e000-0000-7000-8000-0000000000s1", APIID: restID, ApplicationID: &app,
		SubscriptionToken: "subtok-golden-secret-7d1f", SubscriptionPlanID: &plan, Status: "ACTIVE",
		CreatedAt: at("2026-11-03T08:00:00Z"), UpdatedAt: at("2026-11-03T08:00:00Z"), Etag: "019ad3f3-0000-7000-8000-0000000000e1"}})

	// Live frames, one per line, in the platform's envelope.
	frame := func(kind string, payload interface{}) []byte {
		data, err := json.Marshal(map[string]interface{}{"type": kind, "payload": payload,
			"timestamp": at("2026-11-30T09:16:00Z").In(ist).Format(time.RFC3339), "correlationId": "0b1f6c7e-2d9a-4f1e-8c3b-5a6d7e8f9a0b"})
		must(err)
		return data
	}
	hashes, err := json.Marshal(map[string]string{"sha256": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"})
	must(err)
	lines := [][]byte{
		[]byte(`{"type":"connection.ack","gatewayId":"gw-1","connectionId":"c-1","timestamp":"` + at("2026-11-30T09:16:00Z").In(ist).Format(time.RFC3339) + `"}`),
		frame("api.deployed", map[string]interface{}{"apiId": restID, "deploymentId": restDep, "performedAt": at("2026-11-30T09:15:00.123Z")}),
		frame("websub.undeployed", map[string]interface{}{"apiId": webSubID, "deploymentId": webSubDep, "performedAt": at("2026-11-30T09:15:00.5Z")}),
		frame("llmprovider.deleted", map[string]interface{}{"providerId": providerID}),
		frame("apikey.created", map[string]interface{}{"uuid": "0197b000-0000-7000-8000-0000000000k2", "apiId": restID, "name": "partner",
			"apiKeyHashes": string(hashes), "maskedApiKey": "***Ab12", "issuer": issuer,
			"createdAt": "2026-11-30T09:16:00Z", "updatedAt": "2026-11-30T09:16:00Z"}),
		frame("apikey.revoked", map[string]interface{}{"apiId": restID, "keyName": "mobile-app"}),
		frame("subscription.created", map[string]interface{}{"apiId": restID, "subscriptionId": "0197e000-0000-7000-8000-0000000000s2",
			"applicationId": app, "subscriptionToken": "subtok-golden-secret-9e2a", "subscriptionPlanId": plan, "status": "ACTIVE"}),
		frame("subscription.deleted", map[string]interface{}{"apiId": restID, "subscriptionId": "0197e000-0000-7000-8000-0000000000s1",
			"applicationId": app, "subscriptionToken": "subtok-golden-secret-7d1f"}),
		frame("subscriptionPlan.updated", map[string]interface{}{"planId": plan, "name": "Gold"}),
		frame("websub.hmacsecret.created", map[string]interface{}{"apiId": webSubID}),
		[]byte(`{"type":"error","message":"maximum connections reached for gateway gw-1"}`),
	}
	must(os.WriteFile(filepath.Join(out, "events.jsonl"), append(bytes.Join(lines, []byte("\n")), '\n'), 0o644))
}
