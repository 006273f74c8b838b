package value

// MarshalJSON methods make encoding/json write values in the encoded format
// (see ToJSON), including values held in a Value interface field.

// MarshalJSON writes null.
func (v Null) MarshalJSON() ([]byte, error) { return ToJSON(v), nil }

// MarshalJSON writes {"$integer": ...}.
func (v Int64) MarshalJSON() ([]byte, error) { return ToJSON(v), nil }

// MarshalJSON writes a number, or {"$float": ...} for NaN, ±Infinity and -0.
func (v Float64) MarshalJSON() ([]byte, error) { return ToJSON(v), nil }

// MarshalJSON writes true or false.
func (v Boolean) MarshalJSON() ([]byte, error) { return ToJSON(v), nil }

// MarshalJSON writes a JSON string.
func (v String) MarshalJSON() ([]byte, error) { return ToJSON(v), nil }

// MarshalJSON writes {"$bytes": ...}.
func (v Bytes) MarshalJSON() ([]byte, error) { return ToJSON(v), nil }

// MarshalJSON writes a JSON array of encoded values.
func (v Array) MarshalJSON() ([]byte, error) { return ToJSON(v), nil }

// MarshalJSON writes a JSON object with sorted keys.
func (v Object) MarshalJSON() ([]byte, error) { return ToJSON(v), nil }
