package pair

import (
	"strings"
	"testing"
)

func TestValidateStore(t *testing.T) {
	for _, tc := range []struct {
		req   Request
		field string // "" = valid
		msg   string
	}{
		{Request{Name: "web", Store: StoreSSM}, "", ""},
		{Request{Name: "web", Store: StoreSSM, Source: SourceLocal, KMSKeyID: "alias/keys"}, "", ""},
		{Request{Name: "web", Store: StoreSSM, KMSKeyID: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}, "", ""},
		{Request{Name: "web", Store: StoreSSM, Source: SourceOffline}, "store", "source offline"},
		{Request{Name: "web", Store: "vault"}, "store", `not "vault"`},
		{Request{Name: "web", KMSKeyID: "alias/keys"}, "kms-key", "needs store ssm"},
		{Request{Name: "web", Store: StoreSSM, KMSKeyID: "alias/my keys"}, "kms-key", "position 9"},
		{Request{Name: "web", Store: StoreSSM, KMSKeyID: strings.Repeat("a", MaxKMSKeyIDLen+1)}, "kms-key", "at most"},
	} {
		errs := tc.req.Validate()
		switch {
		case tc.field == "" && len(errs) != 0:
			t.Errorf("%+v: %v", tc.req, errs)
		case tc.field != "" && (len(errs) != 1 || errs[0].Field != tc.field || !strings.Contains(errs[0].Msg, tc.msg)):
			t.Errorf("%+v: %v, want one %s error with %q", tc.req, errs, tc.field, tc.msg)
		}
	}
}
