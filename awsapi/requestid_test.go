package awsapi

import (
	"context"
	"testing"

	"github.com/keypair-dev/keypair/keys"
)

// Every changing call's answer carries EC2's request id (keypair serve's
// audit log records it).
func TestAnswersCarryTheRequestID(t *testing.T) {
	_, c := setup(t)
	ctx := context.Background()
	cr, err := c.CreateKeyPair(ctx, CreateInput{Name: "a", Type: keys.ED25519, Format: keys.PEM})
	if err != nil || cr.RequestID == "" {
		t.Fatalf("create: %q %v", cr.RequestID, err)
	}
	k, _ := keys.Generate(keys.ED25519, 0, nil)
	im, err := c.ImportKeyPair(ctx, ImportInput{Name: "b", PublicKey: []byte(keys.AuthorizedKey(k.SSHPublicKey(), "b"))})
	if err != nil || im.RequestID == "" {
		t.Fatalf("import: %q %v", im.RequestID, err)
	}
	del, err := c.DeleteKeyPair(ctx, DeleteInput{Name: "a"})
	if err != nil || del.RequestID == "" || del.RequestID == im.RequestID {
		t.Fatalf("delete: %q %v", del.RequestID, err)
	}
}
