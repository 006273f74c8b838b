package runtime

import "fmt"

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
