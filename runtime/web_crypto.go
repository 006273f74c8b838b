package runtime

import "fmt"

func webCrypto(args []any) (any, error) { return nil, fmt.Errorf("not yet") }
