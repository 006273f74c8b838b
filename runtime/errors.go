package runtime

import (
	"errors"
	"fmt"
)

// UnknownOperation is the error a Host returns for a Convex.syscall op it
// does not serve; the text is Convex's.
func UnknownOperation(op string) error {
	return fmt.Errorf("Unknown operation %s", op)
}

// UnknownAsyncOperation is the error a Host returns for a
// Convex.asyncSyscall op it does not serve; the text is Convex's, and the
// convex package's getTransactionMetrics relies on it.
func UnknownAsyncOperation(op string) error {
	return &unknownAsyncOp{op: op}
}

// MissingEnvError reports that auth.config.js read an environment variable
// the deployment does not set.
type MissingEnvError struct{ Name string }

func (e *MissingEnvError) Error() string {
	return fmt.Sprintf("Environment variable %s is used in auth config file but its value was not set.", e.Name)
}

// SystemError is a Host error that is the server's failure, not the
// function's: storage did not answer, say. Err is the failure, for the
// log; Public is the message a caller may see.
//
// A query or mutation cannot catch it: the syscall fails, the run ends at
// once whatever the function does with the error, nothing it wrote
// counts, and Pool.Run returns the SystemError as its error (a system
// failure, not a Result.Err). An action, which may have done things
// outside the database already, gets a plain Error carrying Public that
// it may catch, as Convex hands system failures to actions.
type SystemError struct {
	Err    error
	Public string
}

func (e *SystemError) Error() string { return e.Err.Error() }
func (e *SystemError) Unwrap() error { return e.Err }

// AsSystemError returns the SystemError err is or wraps, if any.
func AsSystemError(err error) (*SystemError, bool) {
	var se *SystemError
	ok := errors.As(err, &se)
	return se, ok
}
