package main

import (
	"context"
	"errors"

	"github.com/keypair-dev/keypair/keys"
)

// runInteractive runs the form, prefilled from prefill when given.
func (a *app) runInteractive(ctx context.Context, prefill *keys.Request) error {
	if !a.term.interactive() {
		return usagef("the interactive form needs a terminal; for scripts use: keypair create --batch --name NAME ...")
	}
	return errors.New("the interactive form is not wired yet")
}
