package aws_test

import (
	"errors"

	"github.com/attest-dev/attest/collect"
)

func isCredentials(err error) bool { return errors.Is(err, collect.ErrCredentials) }
