package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/maker"
)

// Exit statuses (DESIGN.md): 0 success, 1 the operation failed, 2 bad usage
// or input refused before anything was done.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// usageError marks an error as bad usage or refused input (exit 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// silentError carries an exit status whose message was already printed.
type silentError struct{ code int }

func (e *silentError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// exitCode is the one rule for exit statuses: refused before anything was
// made (bad usage, a broken request rule, an unusable save path, no AWS
// configuration or credentials, so nothing was sent) is 2; every other
// failure is 1.
func exitCode(err error) int {
	var silent *silentError
	var usage *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &silent):
		return silent.code
	case errors.As(err, &usage), maker.Refused(err):
		return exitUsage
	}
	return exitFailed
}

// reportError prints err for a person: what happened (as the pipeline or
// awsapi says it, on one line), then the next step in this front end's
// words (flags and commands), indented on the next line.
func reportError(w io.Writer, err error) {
	var silent *silentError
	if errors.As(err, &silent) {
		return
	}
	fmt.Fprintln(w, "keypair: "+termtext.ForUser(err.Error()))
	if next := nextStep(err); next != "" {
		fmt.Fprintln(w, "  "+next)
	}
}

// nextStep is what to do about err on the command line; "" when the
// message says it all.
func nextStep(err error) string {
	var (
		target   *maker.TargetError
		noAWS    *maker.NoAWSError
		save     *maker.SaveFailedError
		unusable *maker.UnusableAnswerError
		canceled *maker.CanceledError
		imp      *maker.ImportFailedError
		inUse    *inUseError
		store    *maker.StoreFailedError
		fetch    *maker.FetchError
	)
	switch {
	case errors.As(err, &inUse):
		switch {
		case inUse.unknown && awsapi.KindOf(inUse.err) == awsapi.Unauthorized:
			return "Ask for the permissions to look (ec2:DescribeInstances, ec2:DescribeLaunchTemplateVersions, " +
				"autoscaling:DescribeLaunchConfigurations, ec2:DescribeSpotInstanceRequests), or pass --force to delete it without knowing."
		case inUse.unknown:
			return "Try again, or pass --force to delete it without knowing what uses it."
		}
		return "Delete it once nothing uses it, or pass --force to delete it anyway (instances keep their keys; new launches that name it fail)."
	case errors.As(err, &target):
		return "Choose another --out, or move the existing file out of the way."
	case errors.As(err, &noAWS):
		if noAWS.Store {
			return "Check the AWS configuration (--profile, ~/.aws/config, AWS_ENDPOINT_URL_SSM), or leave out --store."
		}
		if noAWS.NoRegion {
			return "Pass --region, set AWS_REGION, or set region in the config file or your AWS profile."
		}
		return "Check the AWS configuration (--profile, ~/.aws/config), or use --source offline to make a key without AWS."
	case errors.As(err, &save):
		if save.RolledBack && errors.As(save.Err, &store) {
			return ssmNextStep(store.Err, "Run again, or keep a file too (--out PATH).")
		}
		if save.RolledBack {
			return "Fix the save path (--out) and run again."
		}
		return "Delete the pair before trying again: " + deleteCommandLine(save.Name, save.Region)
	case errors.As(err, &unusable):
		if unusable.RolledBack {
			return "Try again; if it keeps happening, check --endpoint-url and any proxy in between."
		}
		return "Delete the pair: " + deleteCommandLine(unusable.Name, unusable.Region)
	case errors.As(err, &canceled):
		if canceled.Made && !canceled.RolledBack {
			return "Delete the pair: " + deleteCommandLine(canceled.Name, canceled.Region)
		}
		return ""
	case errors.As(err, &store):
		return ssmNextStep(store.Err, "")
	case errors.As(err, &fetch):
		switch {
		case fetch.NoPair:
			return "Check the name with keypair list --region " + fetch.Region + "; key pairs belong to one region."
		case fetch.Mismatch != "":
			return "The parameter may belong to an older pair of the same id or have been changed by hand; check it with: aws ssm get-parameter --name " + fetch.Parameter
		case awsapi.KindOf(fetch.Err) == awsapi.ParameterNotFound:
			return "Only pairs whose key was stored (create --store ssm, CloudFormation, CDK) can be fetched; check --region."
		}
		return ssmNextStep(fetch.Err, "")
	case errors.As(err, &imp):
		switch {
		case imp.Removed && awsapi.KindOf(imp.Err) == awsapi.Duplicate:
			return "Choose another --name; the existing pair can be removed with: " + deleteCommandLine(imp.Name, imp.Region)
		case imp.Removed:
			return awsNextStep(imp.Err)
		case imp.NotThere && imp.Path != "-" && imp.Path != "":
			return "Import the saved key when EC2 answers again: keypair import --name " + termtext.ShellQuote(imp.Name) +
				" --public-key " + termtext.ShellQuote(imp.Path) + " --region " + imp.Region
		}
		return "Check with: keypair list --region " + imp.Region
	}
	return awsNextStep(err)
}

// ssmNextStep is the command line's advice for an SSM failure, by kind;
// otherwise, the EC2 advice.
func ssmNextStep(err error, otherwise string) string {
	var e *awsapi.Error
	if !errors.As(err, &e) || e.Parameter == "" {
		if s := awsNextStep(err); s != "" {
			return s
		}
		return otherwise
	}
	switch e.Kind {
	case awsapi.Unauthorized, awsapi.KMSDenied:
		return "Ask an administrator to grant " + e.Permission() + ", or use another --profile."
	case awsapi.BadKMSKey:
		return "Choose another --kms-key (a key id, key ARN or alias/NAME in " + e.Region + "), or leave it out for the account's aws/ssm key."
	case awsapi.Network, awsapi.Server:
		return "Check the network, proxy settings and AWS_ENDPOINT_URL_SSM, then try again."
	}
	if s := awsNextStep(err); s != "" {
		return s
	}
	return otherwise
}

// awsNextStep is the command line's advice for an EC2 failure, by kind.
func awsNextStep(err error) string {
	var e *awsapi.Error
	if !errors.As(err, &e) {
		return ""
	}
	switch e.Kind {
	case awsapi.Duplicate:
		return "Choose another --name, or delete the existing pair: " + deleteCommandLine(e.KeyName, e.Region)
	case awsapi.NotFound:
		return "Key pairs belong to one region: check --region."
	case awsapi.Unauthorized:
		s := "Ask an administrator to grant " + e.Permission() + ", or use another --profile."
		if enc := e.EncodedAuthMessage(); enc != "" {
			s += " For the full reason, run: aws sts decode-authorization-message --encoded-message " + enc
		}
		return s
	case awsapi.NoRegion:
		return "Pass --region, set AWS_REGION, or set region in the config file or your AWS profile."
	case awsapi.BadCredentials:
		return "Check the access key (aws configure), refresh temporary credentials, or for SSO run: aws sso login"
	case awsapi.ClockSkew:
		return "Fix this computer's clock (for example: sudo timedatectl set-ntp true) and try again."
	case awsapi.Throttled:
		return "Wait a minute and try again."
	case awsapi.LimitExceeded:
		return "Delete pairs you no longer use (keypair list, keypair delete NAME), or use another --region."
	case awsapi.NoCredentials:
		return "Run aws configure, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, choose a --profile, or for SSO run aws sso login. keypair create --source offline needs no AWS."
	case awsapi.LostAnswer:
		if e.Op == "CreateKeyPair" {
			return "If keypair list --region " + e.Region + " shows the pair was created just now, its private key cannot be recovered: delete it (" +
				deleteCommandLine(e.KeyName, e.Region) + ") and create it again; an older pair of that name is someone else's."
		}
		return "Check with: keypair list --region " + e.Region
	case awsapi.Network, awsapi.Canceled:
		if e.MayHaveActed {
			return "Check with keypair list --region " + e.Region + " whether it happened; then check the network, proxy settings and --endpoint-url."
		}
		if e.Kind == awsapi.Canceled {
			return "" // the user stopped it before anything was sent
		}
		return "Check the network, proxy settings and --endpoint-url, then try again."
	case awsapi.Server:
		return "Try again later; if it keeps happening, check --endpoint-url."
	case awsapi.InvalidParameter:
		return "Correct the request and try again."
	}
	return ""
}

// deleteCommandLine is the command that deletes the pair name in region.
func deleteCommandLine(name, region string) string {
	s := "keypair delete " + termtext.ShellQuote(termtext.Clean(name))
	if region != "" {
		s += " --region " + termtext.ShellQuote(region)
	}
	return s
}
